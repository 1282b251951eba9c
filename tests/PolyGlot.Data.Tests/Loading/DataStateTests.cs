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
