using PolyGlot.Data.Loading;

namespace PolyGlot.Data.Tests.Loading;

public sealed class DataLoaderTests
{
    [Fact]
    public void BatchesEqualTheSynchronousBuilder_When_PrefetchedOnABackgroundThread()
    {
        var (plan, reader) = MixedCorpus.Create(boundaries: true);
        var expected = MixedCorpus.Run(plan, reader, null, 1, 20).Batches;

        using var loader = new DataLoader(plan, reader, null, prefetchBatches: 2);
        var actual = new List<int[]>();
        for (var s = 0; s < 20; s++)
        {
            using var batch = loader.Next();
            actual.Add(batch.Tokens.ToArray());
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void StateIsThatAfterTheLastReturnedBatch_When_BatchesArePrefetchedAhead()
    {
        var (plan, reader) = MixedCorpus.Create();
        var (_, afterThree) = MixedCorpus.Run(plan, reader, null, 1, 3);

        using var loader = new DataLoader(plan, reader, null, prefetchBatches: 4);
        for (var s = 0; s < 3; s++)
            loader.Next().Dispose();
        Thread.Sleep(50); // let the producer run ahead; the reported state must not move with it

        Assert.Equal(afterThree.ToJson(), loader.State.ToJson());
    }

    [Fact]
    public void TheShardErrorReachesTheTrainingThread_When_AShardIsMissing()
    {
        var reader = new MemoryShardReader();
        var source = new LoaderSource("gone", "g", ["/data/gone/shard-00003.parquet"], null, 10);
        var plan = SyntheticCorpus.Plan([source], ["g"], [new(long.MaxValue, PolyGlot.Data.Curriculum.StageTransition.Step, [1.0])], 7, 2);

        using var loader = new DataLoader(plan, reader, null);

        var error = Assert.Throws<InvalidDataException>(() => loader.Next());
        Assert.Contains("/data/gone/shard-00003.parquet", error.Message);
    }
}
