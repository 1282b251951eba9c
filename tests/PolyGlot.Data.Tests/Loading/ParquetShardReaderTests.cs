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
    [InlineData(TokenShardWriter.RowGroupTokens)]
    [InlineData(9)]
    [InlineData(1)]
    public void TokensAndLanguagesComeBackExactly_When_AShardIsWrittenAndRead(int rowGroupTokens)
    {
        var path = Path.Combine(_root, "shard-00000.parquet");
        var shard = Shard();
        ParquetShards.WriteShard(path, "web", shard, rowGroupTokens);

        using var read = new ParquetShardReader().Read(path);

        Assert.Equal(shard.Count, read.Count);
        for (var d = 0; d < shard.Count; d++)
        {
            Assert.Equal(shard.Document(d).ToArray(), read.Document(d).ToArray());
            Assert.Equal(shard.Languages[d], read.Languages[d]);
        }
    }

    [Fact]
    public void OnlyTheRowGroupOfADocumentIsDecoded_When_OneDocumentIsRead()
    {
        // Given a shard written one document per row group
        var path = Path.Combine(_root, "shard-00000.parquet");
        var shard = Shard();
        ParquetShards.WriteShard(path, "web", shard, rowGroupTokens: 1);

        // When its lengths are read and then one document
        using var read = new ParquetShardReader().Read(path);
        var lengths = Enumerable.Range(0, read.Count).Select(read.Length).ToArray();
        var decodedBeforeUse = read.DecodedBlocks;
        var third = read.Document(2).ToArray();

        // Then the lengths needed no decoding, and the document decoded its own row group only
        Assert.Equal(Enumerable.Range(0, shard.Count).Select(shard.Length), lengths);
        Assert.Equal((0, 1, shard.Count), (decodedBeforeUse, read.DecodedBlocks, read.BlockCount));
        Assert.Equal(shard.Document(2).ToArray(), third);
    }

    [Fact]
    public void TheErrorNamesTheFile_When_NumTokensDisagreesWithTheTokenLists()
    {
        // Given a shard whose num_tokens column says 4 where the list holds 5 tokens
        var path = Path.Combine(_root, "shard-00000.parquet");
        var group = new RowGroup([11, 12, 13, 14, 2], [0, 5], ["en"], NumTokens: [4]);
        WriteRowGroups(path, group, group);

        // When the document is used
        using var read = new ParquetShardReader().Read(path);
        var error = Assert.Throws<InvalidDataException>(() => read.Document(1).ToArray());

        // Then the error names the file and both counts
        Assert.Contains(path, error.Message);
        Assert.Contains("5 tokens in input_ids but num_tokens says 4", error.Message);
    }

    [Fact]
    public void AnEmptyShardHasNoDocuments_When_ItWasWrittenWithoutAny()
    {
        var path = Path.Combine(_root, "shard-00000.parquet");
        TokenShardWriter.Write(path, [], [0], [], "web");

        using var read = new ParquetShardReader().Read(path);

        Assert.Equal((0, 0), (read.Count, read.TokenCount));
    }

    [Fact]
    public void TheErrorNamesTheFile_When_NumTokensAddsUpBeyondTwoBillion()
    {
        // Given two documents that claim 2^30 + 2^30 tokens
        var path = Path.Combine(_root, "shard-00000.parquet");
        WriteRowGroups(path, new RowGroup([11, 2, 12, 2], [0, 2, 4], ["en", "en"], NumTokens: [1 << 30, 1 << 30]));

        // When it is read, then the error names the file and the column
        var error = Assert.Throws<InvalidDataException>(() => new ParquetShardReader().Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("num_tokens", error.Message);
    }

    [Fact]
    public void AShardWithoutNumTokensIsReadWhole_When_ItWasWrittenBeforeTheColumnExisted()
    {
        // Given a shard with only input_ids, lang and source, in two row groups
        var path = Path.Combine(_root, "shard-00000.parquet");
        WriteRowGroups(path, new RowGroup([11, 2, 12, 13, 2], [0, 2, 5], ["de", "de"]), new RowGroup([14, 15, 2], [0, 3], ["de"]));

        // When it is read
        using var read = new ParquetShardReader().Read(path);

        // Then every document is there, already decoded
        Assert.Equal(read.BlockCount, read.DecodedBlocks);
        Assert.Equal([[11, 2], [12, 13, 2], [14, 15, 2]], Enumerable.Range(0, read.Count).Select(d => read.Document(d).ToArray()));
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
            var paths = ParquetShards.WriteSource(Path.Combine(_root, s.Name), s.Name, SourceKinds.Monolingual, shards, rowGroupTokens: 12);
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

        Assert.Equal(shards.SelectMany(SyntheticCorpus.AllTokens).Order(), delivered);
    }

    /// <summary>A row group written as given; without <paramref name="NumTokens"/> the shard has no num_tokens column (older shards).</summary>
    private sealed record RowGroup(int[] Tokens, int[] Offsets, string[] Languages, int[]? NumTokens = null);

    // Writes row groups by hand, to make shards prepare would never write (damaged or older ones).
    private static void WriteRowGroups(string path, params RowGroup[] groups)
    {
        var withLengths = groups[0].NumTokens is not null;
        var schema = new PolyGlot.Parquet.Schema.ParquetSchema(TokenShardWriter.Schema.Columns.Take(withLengths ? 4 : 3).ToArray());
        using var writer = new PolyGlot.Parquet.Writing.ParquetWriter(path, schema);
        foreach (var group in groups)
        {
            var columns = new List<PolyGlot.Parquet.Schema.ColumnData>
            {
                PolyGlot.Parquet.Schema.ColumnData.FromInt32Lists(schema.Columns[0], group.Tokens, group.Offsets),
                PolyGlot.Parquet.Schema.ColumnData.FromStrings(schema.Columns[1], group.Languages),
                PolyGlot.Parquet.Schema.ColumnData.FromStrings(schema.Columns[2], Enumerable.Repeat("web", group.Languages.Length).ToArray()),
            };
            if (withLengths)
                columns.Add(PolyGlot.Parquet.Schema.ColumnData.FromInt32(schema.Columns[3], group.NumTokens!));
            writer.Write(columns);
            writer.FlushRowGroup();
        }
        writer.Complete();
    }
}
