using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;

namespace PolyGlot.Data.Tests.Loading;

public sealed partial class BatchBuilderTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void TheGlobalBatchIsTheSame_When_SplitAcrossRanks(int worldSize)
    {
        var (plan, reader) = MixedCorpus.Create();

        var single = MixedCorpus.Run(plan, reader, null, 1, 12).Batches;
        var split = MixedCorpus.Run(plan, reader, null, worldSize, 12).Batches;

        Assert.Equal(single, split);
    }

    [Fact]
    public void RankSlicesAreContiguous_When_TwoRanksShareAStep()
    {
        var (plan, reader) = MixedCorpus.Create();
        var global = MixedCorpus.Run(plan, reader, null, 1, 1).Batches[0];

        using var rank1 = new BatchBuilder(plan, reader, null, 1, 2);
        var batch = rank1.CreateBatch();
        rank1.Build(batch);

        Assert.Equal(global[(2 * 8)..], batch.Tokens);
    }

    [Fact]
    public void Throws_When_TheGlobalBatchDoesNotDivideByTheRanks()
    {
        var (plan, reader) = MixedCorpus.Create();

        var error = Assert.Throws<ArgumentException>(() => new BatchBuilder(plan, reader, null, 0, 3));

        Assert.Contains("global_batch_size = 4", error.Message);
    }

    [Fact]
    public void SourcesAlternateWithExactTokens_When_WeightsAreThreeToOne()
    {
        // Given two one-document sources A = [a0..a4, eos] and B = [b0..b2, eos], weights 0.75 / 0.25, rows of 4
        var reader = new MemoryShardReader();
        var a = reader.Add("a", "ga", SyntheticCorpus.Shards("a", 0, [[6]], (_, _) => "en"));
        var b = reader.Add("b", "gb", SyntheticCorpus.Shards("b", 1, [[4]], (_, _) => "de"));
        var plan = SyntheticCorpus.Plan([a, b], ["ga", "gb"], [new CurriculumStage(long.MaxValue, StageTransition.Step, [0.75, 0.25])], 3, 4);
        int A(int p) => SyntheticCorpus.Id(0, 0, 0, p);
        int B(int p) => SyntheticCorpus.Id(1, 0, 0, p);
        const int eos = SyntheticCorpus.Eos;

        // When one step is built
        var tokens = MixedCorpus.Run(plan, reader, null, 1, 1).Batches[0];

        // Then the rows follow the scheduler's A, A, B, A pattern and A's document wraps into its next epoch
        int[] expected =
        [
            A(0), A(1), A(2), A(3),
            A(4), eos, A(0), A(1),
            B(0), B(1), B(2), eos,
            A(2), A(3), A(4), eos,
        ];
        Assert.Equal(expected, tokens);
    }

    [Fact]
    public void OnlyTheNewStagesGroupsAppear_When_AStepTransitionIsPassed()
    {
        // Given english only for 3 steps, then non-english only
        var stages = new[]
        {
            new CurriculumStage(3 * MixedCorpus.TokensPerStep, StageTransition.Step, [1.0, 0.0]),
            new CurriculumStage(long.MaxValue, StageTransition.Step, [0.0, 1.0]),
        };
        var (plan, reader) = MixedCorpus.Create(stages);
        using var builder = new BatchBuilder(plan, reader, null, 0, 1);

        // When six steps are built
        var sources = Enumerable.Range(0, 6).Select(_ =>
        {
            var batch = builder.CreateBatch();
            builder.Build(batch);
            return batch.SourceIds.ToArray();
        }).ToList();

        // Then steps 0-2 come from "en" (source 0) only and steps 3-5 never do
        Assert.All(sources.Take(3), ids => Assert.All(ids, id => Assert.Equal(0, id)));
        Assert.All(sources.Skip(3), ids => Assert.All(ids, id => Assert.NotEqual(0, id)));
    }

    [Fact]
    public void RealisedLanguageSharesTrackTheSchedule_When_WeightsRampLinearly()
    {
        // Given a linear ramp from 80/20 to 20/80 over 60 steps, sources of one language each, temperature 0.5
        var end = 60 * MixedCorpus.TokensPerStep;
        var stages = new[]
        {
            new CurriculumStage(1, StageTransition.Step, [0.8, 0.2]),
            new CurriculumStage(end, StageTransition.Linear, [0.2, 0.8]),
        };
        var (plan, reader) = MixedCorpus.Create(stages, alpha: 0.5);
        using var builder = new BatchBuilder(plan, reader, null, 0, 1);
        var scheduled = new double[3];

        // When 60 steps are built, summing each source's scheduled share per row
        for (var s = 0; s < 60; s++)
        {
            var weights = plan.Mixing.SourceWeights(plan.Schedule.WeightsAt(builder.State.TokensConsumed));
            for (var i = 0; i < 3; i++)
                scheduled[i] += weights[i] * MixedCorpus.TokensPerStep;
            builder.Build(builder.CreateBatch());
        }

        // Then each language's realised tokens are within 3 rows (one per source) of the schedule
        var realised = new[] { "en", "de", "fr" }.Select(l => builder.State.TokensPerLanguage[l]).ToArray();
        for (var i = 0; i < 3; i++)
            Assert.InRange(realised[i], scheduled[i] - 3 * 8, scheduled[i] + 3 * 8);
    }

    [Fact]
    public void EveryTokenAppearsOnce_When_ASourceIsReadForOneEpoch()
    {
        // Given "de" alone (64 tokens in 3 shards), rows of 8, 2 steps of 4 rows = 64 tokens
        var reader = new MemoryShardReader();
        var de = reader.Add("de", "g", SyntheticCorpus.Shards("de", 1, [[6, 3, 10, 5], [7, 7, 4, 9], [3, 5, 5]], (_, _) => "de"));
        var plan = SyntheticCorpus.Plan([de], ["g"], [new CurriculumStage(long.MaxValue, StageTransition.Step, [1.0])], 7, 4);

        var (batches, state) = MixedCorpus.Run(plan, reader, null, 1, 2);

        // Then the delivered tokens are exactly the corpus' tokens, and the next token starts epoch 1
        var corpus = Enumerable.Range(0, 3).SelectMany(h => SyntheticCorpus.AllTokens(reader.Read($"de/shard-{h:D5}.parquet")));
        Assert.Equal(corpus.Order(), batches.SelectMany(b => b).Order());
        Assert.Equal(0, state.Sources[0].Epoch);
        Assert.Equal(64, state.Sources[0].TokensConsumed);
    }
}
