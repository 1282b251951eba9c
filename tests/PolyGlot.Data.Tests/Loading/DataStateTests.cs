using PolyGlot.Data.Loading;

namespace PolyGlot.Data.Tests.Loading;

public sealed class DataStateTests
{
    [Fact]
    public void EveryFieldSurvives_When_SerializedToJsonAndBack()
    {
        var state = new DataState
        {
            Seed = ulong.MaxValue,
            Step = 12,
            TokensConsumed = 1 << 40,
            Sources = [new SourceState { Name = "de", Epoch = 3, ShardOrdinal = 2, DocumentOrdinal = 17, TokenOffset = 5, Credit = -123456789, TokensConsumed = 99 }],
            TokensPerLanguage = new(StringComparer.Ordinal) { ["de"] = 99 },
        };

        var copy = DataState.FromJson(state.ToJson(), "test");

        Assert.Equal(state.ToJson(), copy.ToJson());
        Assert.Equal(-123456789, copy.Sources[0].Credit);
        Assert.Equal(ulong.MaxValue, copy.Seed);
    }

    [Fact]
    public void Throws_When_TheVersionIsUnknown()
    {
        var error = Assert.Throws<InvalidDataException>(() => DataState.FromJson("{\"version\": 9}", "ckpt/data.json"));

        Assert.Contains("ckpt/data.json", error.Message);
    }

    [Fact]
    public void Throws_When_TheJsonIsDamaged()
    {
        Assert.Throws<InvalidDataException>(() => DataState.FromJson("{\"version\": 1, \"step\": ", "ckpt/data.json"));
    }
}

public sealed class SourceEpochsTests
{
    [Fact]
    public void PassesCountRepeatedTokens_When_ASmallSourceWraps()
    {
        // "fr" holds 7 tokens; 16 steps of 32 tokens at 50% non-english wrap it many times
        var (plan, reader) = MixedCorpus.Create();
        var (_, state) = MixedCorpus.Run(plan, reader, null, 1, 16);

        var fr = SourceEpochs.Of(plan, state).Single(e => e.Source == "fr");

        Assert.Equal(state.Sources[2].TokensConsumed / 7.0, fr.Passes, 12);
        Assert.True(fr.CompletedEpochs >= 2 && fr.CompletedEpochs <= (long)fr.Passes, $"{fr.CompletedEpochs} epochs, {fr.Passes} passes");
    }
}
