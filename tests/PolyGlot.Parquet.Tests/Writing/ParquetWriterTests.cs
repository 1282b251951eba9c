using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Parquet.Tests.Writing;

public class ParquetWriterTests
{
    [Fact]
    public void TokenShard_RoundTrips_When_WrittenWithZstdInManyRowGroups()
    {
        // Given a token shard and a small row group target
        using var dir = new TempDirectory();
        var shard = new TokenShardFixture(rows: 3000);
        var path = dir.File("shard.parquet");
        shard.Write(path, new ParquetWriterOptions { RowGroupTargetBytes = 200_000 });

        // When it is read back row group by row group
        using var reader = ParquetReader.Open(path);
        var tokens = new List<int>();
        var offsets = new List<int> { 0 };
        var langs = new List<string?>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var ids = reader.ReadColumn(g, "input_ids");
            var lang = reader.ReadColumn(g, "lang");
            for (var r = 0; r < ids.RowCount; r++)
            {
                tokens.AddRange(ids.Int32List(r).ToArray());
                offsets.Add(tokens.Count);
                langs.Add(lang.GetString(r));
            }
        }

        // Then every token, row boundary and string is identical
        Assert.True(reader.RowGroupCount > 3);
        Assert.Equal(shard.Tokens, tokens);
        Assert.Equal(shard.Offsets, offsets);
        Assert.Equal(shard.Lang, langs);
        Assert.Equal(CompressionCodec.Zstd, reader.Metadata.RowGroups[0].Columns[0].MetaData!.Codec);
    }

    [Fact]
    public void RowGroups_CloseAtTarget_When_BatchesExceedIt()
    {
        // Given batches of ~4 KB of tokens and a 40 KB target
        using var dir = new TempDirectory();
        var path = dir.File("groups.parquet");
        var column = ParquetColumn.List("input_ids", PhysicalType.Int32, nullable: false, elementNullable: false);
        using (var writer = new ParquetWriter(path, new ParquetSchema(column), new ParquetWriterOptions { RowGroupTargetBytes = 40_000 }))
        {
            for (var b = 0; b < 100; b++)
                writer.Write(ColumnData.FromInt32Lists(column, Enumerable.Range(b, 1000).ToArray(), [0, 500, 1000]));
            writer.Complete();
        }

        // When the file is opened
        using var reader = ParquetReader.Open(path);

        // Then each row group holds 10 batches (20 rows)
        Assert.Equal(10, reader.RowGroupCount);
        Assert.All(reader.Metadata.RowGroups, g => Assert.Equal(20, g.NumRows));
    }

    [Fact]
    public void KeyValueMetadata_IsStored_When_Given()
    {
        // Given metadata in the options
        using var dir = new TempDirectory();
        var path = dir.File("kv.parquet");
        new TokenShardFixture(10).Write(path, new ParquetWriterOptions
        {
            KeyValueMetadata = new Dictionary<string, string> { ["tokenizer"] = "spm-256k", ["lang"] = "多语言" },
        });

        // When the file is opened
        using var reader = ParquetReader.Open(path);

        // Then the metadata reads back
        Assert.Equal("spm-256k", reader.KeyValueMetadata["tokenizer"]);
        Assert.Equal("多语言", reader.KeyValueMetadata["lang"]);
    }

    [Fact]
    public void NoFileAppears_When_DisposedWithoutComplete()
    {
        // Given a writer that received rows but is never completed
        using var dir = new TempDirectory();
        var path = dir.File("partial.parquet");
        var column = ParquetColumn.Int32("x");
        using (var writer = new ParquetWriter(path, new ParquetSchema(column)))
        {
            writer.Write(ColumnData.FromInt32(column, [1, 2, 3]));
            writer.FlushRowGroup();
        }

        // When the directory is listed
        var files = Directory.GetFiles(dir.Path);

        // Then neither the target nor a temporary remains
        Assert.Empty(files);
    }

    [Fact]
    public void ExistingFileIsKept_When_ReplacementIsNotCompleted()
    {
        // Given a complete file
        using var dir = new TempDirectory();
        var path = dir.File("keep.parquet");
        new TokenShardFixture(5).Write(path);
        var before = File.ReadAllBytes(path);

        // When a second writer to the same path is abandoned
        using (var writer = new ParquetWriter(path, TokenShardFixture.Schema))
            writer.Write(
                ColumnData.FromLists(TokenShardFixture.Schema.Columns[0], new int[]?[] { [1] }),
                ColumnData.FromStrings(TokenShardFixture.Schema.Columns[1], ["en"]),
                ColumnData.FromStrings(TokenShardFixture.Schema.Columns[2], ["s"]));

        // Then the first file is untouched
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_Throws_When_NullGoesIntoRequiredColumn()
    {
        // Given a required column
        using var dir = new TempDirectory();
        var column = ParquetColumn.Int32("x");
        using var writer = new ParquetWriter(dir.File("x.parquet"), new ParquetSchema(column));

        // When a null is written
        var error = Assert.Throws<ArgumentException>(() => writer.Write(ColumnData.FromInt32(column, [1, 2], [false, true])));

        // Then the message names the column and the value
        Assert.Contains("'x'", error.Message);
        Assert.Contains("value 1", error.Message);
    }

    public static TheoryData<string> Layouts => ["default", "v2-small-pages"];

    private static ParquetWriterOptions LayoutOptions(string layout) => layout == "default"
        ? new ParquetWriterOptions()
        : new ParquetWriterOptions { DataPageV2 = true, PageTargetBytes = 4096 };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void WriteRowGroups_GivesTheBytesOfFlushingEachBatch_When_EncodingOnOneOrSeveralThreads(string layout)
    {
        // Given batches written one row group each, in order, by Write and FlushRowGroup
        using var dir = new TempDirectory();
        var shard = new TokenShardFixture(rows: 3000);
        var options = LayoutOptions(layout);
        var expected = dir.File("serial.parquet");
        using (var writer = new ParquetWriter(expected, TokenShardFixture.Schema, options))
        {
            foreach (var batch in shard.Batches(70))
            {
                writer.Write(batch);
                writer.FlushRowGroup();
            }
            writer.Complete();
        }

        foreach (var threads in new[] { 1, 3, 8 })
        {
            // When the same batches go through WriteRowGroups on that many threads
            var path = dir.File($"threads-{threads}.parquet");
            using (var writer = new ParquetWriter(path, TokenShardFixture.Schema, options))
            {
                writer.WriteRowGroups(shard.Batches(70), threads);
                writer.Complete();
            }

            // And when they are built on the encoding threads, by index
            var batches = shard.Batches(70).ToList();
            var indexed = dir.File($"indexed-{threads}.parquet");
            using (var writer = new ParquetWriter(indexed, TokenShardFixture.Schema, options))
            {
                writer.WriteRowGroups(batches.Count, g => batches[g], threads);
                writer.Complete();
            }

            // Then both files have the same bytes: the same pages at the same offsets, the same footer
            Assert.True(File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"{threads} threads differ");
            Assert.True(File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(indexed)), $"{threads} threads by index differ");
        }
        using var reader = ParquetReader.Open(expected);
        Assert.Equal((3000 + 69) / 70, reader.RowGroupCount);
        Assert.Equal(shard.Tokens.Length, Enumerable.Range(0, reader.RowGroupCount).Sum(g => reader.ReadColumn(g, "input_ids").ValueCount));
    }

    [Fact]
    public void WriteRowGroups_WritesBufferedRowsFirst_When_RowsWereWrittenBefore()
    {
        // Given a writer holding one buffered batch
        using var dir = new TempDirectory();
        var shard = new TokenShardFixture(rows: 400);
        var batches = shard.Batches(100).ToList();
        var path = dir.File("mixed.parquet");
        using (var writer = new ParquetWriter(path, TokenShardFixture.Schema))
        {
            writer.Write(batches[0]);

            // When the remaining batches are written as row groups on several threads
            writer.WriteRowGroups(batches.Skip(1), maxDegreeOfParallelism: 2);
            writer.Complete();
        }

        // Then the buffered rows come first, as a row group of their own, and every row is in order
        using var reader = ParquetReader.Open(path);
        Assert.Equal(4, reader.RowGroupCount);
        var langs = Enumerable.Range(0, reader.RowGroupCount)
            .SelectMany(g => { var column = reader.ReadColumn(g, "lang"); return Enumerable.Range(0, column.RowCount).Select(column.GetString); });
        Assert.Equal(shard.Lang, langs);
    }

    [Fact]
    public void WriteRowGroups_ThrowsNamingTheColumnAndNoFileAppears_When_ABatchDoesNotMatchTheSchema()
    {
        // Given batches of which the third has a null in a required column
        using var dir = new TempDirectory();
        var column = ParquetColumn.Int32("x");
        var path = dir.File("x.parquet");
        ColumnData[][] batches = [[ColumnData.FromInt32(column, [1, 2])], [ColumnData.FromInt32(column, [3])], [ColumnData.FromInt32(column, [4, 5], [false, true])]];

        // When they are written as row groups
        var error = Assert.Throws<ArgumentException>(() =>
        {
            using var writer = new ParquetWriter(path, new ParquetSchema(column));
            writer.WriteRowGroups(batches, maxDegreeOfParallelism: 2);
            writer.Complete();
        });

        // Then the message names the column, and no file (nor temporary file) is left
        Assert.Contains("'x'", error.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriteRowGroupsByIndexReportsTheEarliestBadGroup_When_SeveralGroupsFailOnSeveralThreads()
    {
        // Given ten groups of which the third (null at value 1) and the seventh (null at value 0) break the schema
        using var dir = new TempDirectory();
        var column = ParquetColumn.Int32("x");
        IReadOnlyList<ColumnData> Group(int g) => g switch
        {
            2 => [ColumnData.FromInt32(column, [1, 2], [false, true])],
            6 => [ColumnData.FromInt32(column, [1, 2], [true, false])],
            _ => [ColumnData.FromInt32(column, [g, g])],
        };

        for (var attempt = 0; attempt < 5; attempt++)
        {
            // When they are written by index on four threads
            var path = dir.File($"x{attempt}.parquet");
            var error = Assert.Throws<ArgumentException>(() =>
            {
                using var writer = new ParquetWriter(path, new ParquetSchema(column));
                writer.WriteRowGroups(10, Group, maxDegreeOfParallelism: 4);
                writer.Complete();
            });

            // Then the third group's error is the one reported, every time, and no file is left
            Assert.Contains("value 1 is null", error.Message);
            Assert.False(File.Exists(path));
        }
    }

    [Fact]
    public void WriteRowGroupsByIndexWritesAValidFileOrRefuses_When_TheCountIsZeroOrNegative()
    {
        // Given a writer
        using var dir = new TempDirectory();
        var column = ParquetColumn.Int32("x");
        var path = dir.File("x.parquet");
        using (var writer = new ParquetWriter(path, new ParquetSchema(column)))
        {
            // When a negative count is given, then it is refused; when zero, nothing is written
            Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteRowGroups(-1, _ => [], maxDegreeOfParallelism: 2));
            writer.WriteRowGroups(0, _ => throw new InvalidOperationException("not called"), maxDegreeOfParallelism: 2);
            writer.Complete();
        }

        // Then the file holds no row group
        using var reader = ParquetReader.Open(path);
        Assert.Equal(0, reader.RowGroupCount);
    }
}
