using PolyGlot.Data.Loading;
using PolyGlot.Data.Shards;
using PolyGlot.TestSupport;

namespace PolyGlot.Data.Tests.Loading;

/// <summary>A data-parallel rank decodes the shard blocks of its own rows and steps over the others by their lengths.</summary>
public sealed class RankDecodingTests : IDisposable
{
    private const int Steps = 4;
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(2, ShuffleUnit.Documents)]
    [InlineData(4, ShuffleUnit.Documents)]
    [InlineData(4, ShuffleUnit.RowGroups)]
    public void ARankDecodesOnlyTheDocumentsOfItsOwnRows_When_TheOtherRanksRowsAreSkipped(int worldSize, ShuffleUnit shuffle)
    {
        // Given the mixed corpus on disk with one document per row group, and its batches built by one rank
        var (memoryPlan, memory) = MixedCorpus.Create();
        var plan = OnDisk(memoryPlan, memory, shuffle);
        var oneRank = new List<int[]>();
        var decodedByOneRank = Build(plan, 0, 1, oneRank).Decoded;
        var expected = oneRank;

        for (var rank = 0; rank < worldSize; rank++)
        {
            // When one rank of worldSize builds its slices
            var (decoded, seen, rows) = Build(plan, rank, worldSize, expected);

            // Then it decoded every document it delivered, at most one more per row (a row may start with
            // the bare eos of a document), and fewer documents than a single rank that takes every row
            Assert.InRange(decoded, seen, seen + rows);
            Assert.True(decoded < decodedByOneRank, $"rank {rank} of {worldSize} decoded {decoded} documents, one rank {decodedByOneRank}");
        }
    }

    // Builds this rank's slices, checks each against the global batch (or records it: one rank), and
    // counts documents decoded and delivered.
    private static (int Decoded, int Seen, int Rows) Build(LoaderPlan plan, int rank, int worldSize, List<int[]> expected)
    {
        var record = worldSize == 1;
        var reader = new RecordingShardReader(new ParquetShardReader());
        var seen = new HashSet<int>();
        using (var builder = new BatchBuilder(plan, reader, null, rank, worldSize, readAhead: false))
        {
            var slice = builder.RowsPerRank * (MixedCorpus.SeqLen + 1);
            for (var step = 0; step < Steps; step++)
            {
                var batch = builder.CreateBatch();
                builder.Build(batch);
                if (record)
                    expected.Add(batch.Tokens.ToArray());
                else
                    Assert.Equal(expected[step][(rank * slice)..((rank + 1) * slice)], batch.Tokens);
                // Every token but eos names its source, shard and document (SyntheticCorpus.Id).
                seen.UnionWith(batch.Tokens.Where(t => t != SyntheticCorpus.Eos).Select(t => (t - 10) / 100));
            }
        }
        // One document per row group, so blocks decoded are documents decoded.
        return (reader.Shards.Sum(s => s.DecodedBlocks), seen.Count, Steps * plan.GlobalBatchSize / worldSize);
    }

    private LoaderPlan OnDisk(LoaderPlan memoryPlan, MemoryShardReader memory, ShuffleUnit shuffle)
    {
        var sources = memoryPlan.Sources.Select(s => s with
        {
            ShardPaths = ParquetShards.WriteSource(Path.Combine(_root.Path, s.Name), s.Name, SourceKinds.Monolingual,
                s.ShardPaths.Select(memory.Read).ToList(), rowGroupTokens: 1),
        }).ToList();
        return SyntheticCorpus.Plan(sources, MixedCorpus.Groups, memoryPlan.Schedule.Stages, MixedCorpus.SeqLen, MixedCorpus.GlobalBatch,
            shuffle: shuffle);
    }

    /// <summary>Keeps every shard it hands out, to count what was decoded.</summary>
    private sealed class RecordingShardReader(IShardReader inner) : IShardReader
    {
        public List<ShardDocuments> Shards { get; } = [];

        public ShardDocuments Read(string path)
        {
            var shard = inner.Read(path);
            Shards.Add(shard);
            return shard;
        }
    }
}
