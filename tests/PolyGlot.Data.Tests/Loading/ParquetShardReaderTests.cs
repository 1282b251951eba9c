using PolyGlot.Data.Configuration;
using PolyGlot.Data.Loading;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Tests.Loading;

public sealed class ParquetShardReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("polyglot-shards-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ShardDocuments Shard() =>
        SyntheticCorpus.Shards("web", 0, [[5, 3, 9, 1, 4]], (_, d) => d % 2 == 0 ? "en" : "zh-Hant").Single();

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(2)]
    public void TokensAndLanguagesComeBackExactly_When_AShardIsWrittenAndRead(int rowGroupRows)
    {
        var path = Path.Combine(_root, "shard-00000.parquet");
        var shard = Shard();
        ParquetShards.WriteShard(path, "web", shard, rowGroupRows);

        var read = new ParquetShardReader().Read(path);

        Assert.Equal(shard.Count, read.Count);
        for (var d = 0; d < shard.Count; d++)
        {
            Assert.Equal(shard.Document(d).ToArray(), read.Document(d).ToArray());
            Assert.Equal(shard.Languages[d], read.Languages[d]);
        }
    }

    [Fact]
    public void TheErrorNamesTheFile_When_TheShardIsMissing()
    {
        var path = Path.Combine(_root, "shard-00007.parquet");

        var error = Assert.Throws<InvalidDataException>(() => new ParquetShardReader().Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void TheErrorNamesTheFile_When_TheShardIsTruncated()
    {
        var path = Path.Combine(_root, "shard-00000.parquet");
        ParquetShards.WriteShard(path, "web", Shard());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => new ParquetShardReader().Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("polyglot prepare", error.Message);
    }

    [Fact]
    public void TheErrorNamesTheFile_When_TheShardHasDamagedPages()
    {
        // Flip bytes in the middle of the column data, leaving the footer intact.
        var path = Path.Combine(_root, "shard-00000.parquet");
        ParquetShards.WriteShard(path, "web", Shard());
        var bytes = File.ReadAllBytes(path);
        for (var i = 8; i < 40 && i < bytes.Length / 2; i++)
            bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => new ParquetShardReader().Read(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void TheErrorNamesTheColumns_When_TheFileIsNotATokenShard()
    {
        var path = Path.Combine(_root, "other.parquet");
        var schema = new PolyGlot.Parquet.Schema.ParquetSchema(PolyGlot.Parquet.Schema.ParquetColumn.String("text"));
        using (var writer = new PolyGlot.Parquet.Writing.ParquetWriter(path, schema))
        {
            writer.Write(PolyGlot.Parquet.Schema.ColumnData.FromStrings(schema.Columns[0], ["hello"]));
            writer.Complete();
        }

        var error = Assert.Throws<InvalidDataException>(() => new ParquetShardReader().Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("input_ids (list<int32>)", error.Message);
    }

    [Fact]
    public void BatchesEqualThoseFromMemory_When_TheSameCorpusIsReadFromParquetShards()
    {
        // Given the mixed corpus in memory and written to Parquet source directories
        var (memoryPlan, memory) = MixedCorpus.Create(boundaries: true);
        var onDisk = memoryPlan.Sources.Select(s =>
        {
            var shards = s.ShardPaths.Select(memory.Read).ToList();
            var paths = ParquetShards.WriteSource(Path.Combine(_root, s.Name), s.Name, SourceKinds.Monolingual, shards, rowGroupRows: 3);
            return s with { ShardPaths = paths };
        }).ToList();
        var parquetPlan = SyntheticCorpus.Plan(onDisk, MixedCorpus.Groups, memoryPlan.Schedule.Stages, MixedCorpus.SeqLen,
            MixedCorpus.GlobalBatch, boundaries: true);

        // When both are loaded for 20 steps
        var expected = MixedCorpus.Run(memoryPlan, memory, null, 1, 20).Batches;
        using var loader = new DataLoader(parquetPlan, new ParquetShardReader(), null);
        var actual = Enumerable.Range(0, 20).Select(_ =>
        {
            using var batch = loader.Next();
            return batch.Tokens.ToArray();
        }).ToList();

        // Then the batches are identical
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void APreparedDirectoryResolvesAndLoads_When_ItsManifestAndShardsAreOnDisk()
    {
        var shards = SyntheticCorpus.Shards("de", 1, [[6, 3, 10, 5], [7, 7, 4, 9], [3, 5, 5]], (_, _) => "de").ToList();
        ParquetShards.WriteSource(Path.Combine(_root, "de"), "de", SourceKinds.Monolingual, shards);
        var config = new DataConfig { SeqLen = 7, GlobalBatchSize = 4, Sources = [new() { Name = "de", Path = "de" }] };

        var plan = DataPipeline.Resolve(config, 2, _root);
        using var loader = new DataLoader(plan, new ParquetShardReader(), null);
        var delivered = Enumerable.Range(0, 2).SelectMany(_ => loader.Next().Tokens).Order();

        Assert.Equal(shards.SelectMany(s => s.Tokens).Order(), delivered);
    }
}
