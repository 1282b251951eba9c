using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;

namespace PolyGlot.Data.Tests.Loading;

public sealed partial class BatchBuilderTests
{
    private const int Steps = 16;

    /// <summary>Runs to step k on <paramref name="worldBefore"/> ranks, saves the state as JSON, resumes on <paramref name="worldAfter"/> ranks.</summary>
    private static (List<int[]> Uninterrupted, List<int[]> Resumed, DataState AtStop, DataState AtEnd) StopAndResume(
        LoaderPlan plan, IShardReader reader, int stopAt, int worldBefore, int worldAfter)
    {
        var (uninterrupted, atEnd) = MixedCorpus.Run(plan, reader, null, 1, Steps);
        var (before, atStop) = MixedCorpus.Run(plan, reader, null, worldBefore, stopAt);
        var restored = DataState.FromJson(atStop.ToJson(), "checkpoint");
        var (after, _) = MixedCorpus.Run(plan, reader, restored, worldAfter, Steps - stopAt);
        return (uninterrupted, before.Concat(after).ToList(), atStop, atEnd);
    }

    [Fact]
    public void LaterBatchesAreIdentical_When_ResumedFromASavedState()
    {
        var (plan, reader) = MixedCorpus.Create(boundaries: true);

        var run = StopAndResume(plan, reader, stopAt: 5, worldBefore: 1, worldAfter: 1);

        Assert.Equal(run.Uninterrupted, run.Resumed);
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(4, 2)]
    [InlineData(2, 1)]
    public void LaterBatchesAreIdentical_When_ResumedWithAnotherRankCount(int before, int after)
    {
        var (plan, reader) = MixedCorpus.Create();

        var run = StopAndResume(plan, reader, stopAt: 6, before, after);

        Assert.Equal(run.Uninterrupted, run.Resumed);
    }

    [Fact]
    public void LaterBatchesAreIdentical_When_ASourceCrossesItsEpochBoundaryAfterTheResume()
    {
        // "de" holds 78 tokens; at about 16 tokens a step for non-english it wraps after the stop.
        var (plan, reader) = MixedCorpus.Create();

        var run = StopAndResume(plan, reader, stopAt: 3, worldBefore: 2, worldAfter: 2);

        var de = 1;
        Assert.Equal(0, run.AtStop.Sources[de].Epoch);
        Assert.True(run.AtEnd.Sources[de].Epoch >= 1, "the run must cross de's epoch boundary after the stop");
        Assert.Equal(run.Uninterrupted, run.Resumed);
    }

    [Fact]
    public void LaterBatchesAreIdentical_When_ACurriculumStageEndsAfterTheResume()
    {
        // Stage 1 ends inside step 8 (not on a step boundary), stage 2 ramps linearly to the end.
        var stages = new[]
        {
            new CurriculumStage(8 * MixedCorpus.TokensPerStep - 5, StageTransition.Step, [0.8, 0.2]),
            new CurriculumStage(Steps * MixedCorpus.TokensPerStep, StageTransition.Linear, [0.1, 0.9]),
        };
        var (plan, reader) = MixedCorpus.Create(stages);

        var run = StopAndResume(plan, reader, stopAt: 7, worldBefore: 1, worldAfter: 4);

        Assert.Equal(0, plan.Schedule.StageAt(run.AtStop.TokensConsumed));
        Assert.Equal(1, plan.Schedule.StageAt(run.AtEnd.TokensConsumed));
        Assert.Equal(run.Uninterrupted, run.Resumed);
    }

    [Fact]
    public void Throws_When_TheStateComesFromAnotherSeed()
    {
        var (plan, reader) = MixedCorpus.Create();
        var state = plan.InitialState();
        state.Seed = 8;

        var error = Assert.Throws<InvalidDataException>(() => new BatchBuilder(plan, reader, state, 0, 1));

        Assert.Contains("data.seed", error.Message);
    }

    [Fact]
    public void Throws_When_TheStateComesFromAnotherShuffleUnit()
    {
        // Given a state saved by a run that shuffled documents, and a plan that shuffles row groups
        var (documentsPlan, reader) = MixedCorpus.Create();
        var rowGroupsPlan = SyntheticCorpus.Plan(documentsPlan.Sources, MixedCorpus.Groups, documentsPlan.Schedule.Stages, MixedCorpus.SeqLen,
            MixedCorpus.GlobalBatch, shuffle: ShuffleUnit.RowGroups);

        var error = Assert.Throws<InvalidDataException>(() => new BatchBuilder(rowGroupsPlan, reader, documentsPlan.InitialState(), 0, 1));

        Assert.Contains("data.shuffle = documents", error.Message);
    }

    [Fact]
    public void AStateWithoutShuffleReadsAsDocuments_When_ItWasSavedBeforeTheSettingExisted()
    {
        var (plan, _) = MixedCorpus.Create();
        var json = plan.InitialState().ToJson().Replace("\"shuffle\": \"documents\",", "", StringComparison.Ordinal);

        var state = DataState.FromJson(json, "old checkpoint");

        Assert.DoesNotContain("shuffle", json, StringComparison.Ordinal);
        Assert.Equal("documents", state.Shuffle);
    }
}
