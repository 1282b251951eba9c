using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;
using PolyGlot.Parquet.Tests.Interop;

namespace PolyGlot.Parquet.Tests.Reading;

/// <summary>What our writer writes, our reader reads back identically, for every type and layout.</summary>
public class RoundTripTests
{
    public static TheoryData<string> Layouts =>
        ["zstd-v1", "snappy-v2", "zstd-v2-incremental", "gzip-v1-plain", "uncompressed-v2-delta", "lz4-v1-split", "brotli-v2", "zstd-tiny-pages"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryTypeRoundTrips_When_WrittenWithLayout(string layout)
    {
        // Given every type with nulls, Unicode, long strings and empty lists
        using var dir = new TempDirectory();
        var path = dir.File("all.parquet");
        var fixture = new AllTypesFixture(rows: 1500);
        fixture.Write(path, Options(layout));

        // When it is read back
        using var reader = ParquetReader.Open(path);

        // Then every cell is identical
        foreach (var written in fixture.Columns)
        {
            var want = Enumerable.Range(0, written.RowCount).Select(r => DuckDb.Canonical(written, r)).ToList();
            Assert.Equal(want, DuckDb.ReadCanonical(reader, written.Column.Name));
        }
    }

    [Fact]
    public void ZeroRows_RoundTrip_When_NothingIsWritten()
    {
        // Given a writer completed without rows
        using var dir = new TempDirectory();
        var path = dir.File("empty.parquet");
        using (var writer = new ParquetWriter(path, TokenShardFixture.Schema)) writer.Complete();

        // When it is opened
        using var reader = ParquetReader.Open(path);

        // Then it has the schema and no rows
        Assert.Equal(0, reader.RowCount);
        Assert.Equal(0, reader.RowGroupCount);
        Assert.Equal(["input_ids", "lang", "source"], reader.Schema.Columns.Select(c => c.Name));
    }

    [Fact]
    public void ManyRowGroupsRoundTrip_When_TargetIsTiny()
    {
        // Given one row group per batch of 10 rows
        using var dir = new TempDirectory();
        var path = dir.File("many.parquet");
        var shard = new TokenShardFixture(rows: 1000, maxLength: 20);
        shard.Write(path, new ParquetWriterOptions { RowGroupTargetBytes = 1 }, batchRows: 10);

        // When all row groups are read
        using var reader = ParquetReader.Open(path);
        var tokens = Enumerable.Range(0, reader.RowGroupCount).SelectMany(g => reader.ReadColumn(g, "input_ids").Int32Span.ToArray()).ToArray();

        // Then there are 100 row groups holding every token in order
        Assert.Equal(100, reader.RowGroupCount);
        Assert.Equal(shard.Tokens, tokens);
    }

    [Fact]
    public void StatisticsHoldMinMaxAndNulls_When_Written()
    {
        // Given a nullable int column
        using var dir = new TempDirectory();
        var path = dir.File("stats.parquet");
        var column = ParquetColumn.Int32("x", nullable: true);
        using (var writer = new ParquetWriter(path, new ParquetSchema(column)))
        {
            writer.Write(ColumnData.FromInt32(column, [5, -3, 0, 99, 7], [false, false, true, false, false]));
            writer.Complete();
        }

        // When the footer is read
        using var reader = ParquetReader.Open(path);
        var stats = reader.Metadata.RowGroups[0].Columns[0].MetaData!.Statistics!;

        // Then min, max and null count describe the values
        Assert.Equal(-3, BitConverter.ToInt32(stats.MinValue));
        Assert.Equal(99, BitConverter.ToInt32(stats.MaxValue));
        Assert.Equal(1, stats.NullCount);
    }

    [Fact]
    public void DictionaryIsUsed_When_StringsRepeat()
    {
        // Given a low-cardinality string column
        using var dir = new TempDirectory();
        var path = dir.File("dict.parquet");
        new TokenShardFixture(rows: 2000).Write(path);

        // When the footer is read
        using var reader = ParquetReader.Open(path);
        var encodings = reader.Metadata.RowGroups[0].Columns[1].MetaData!.Encodings;

        // Then lang is dictionary-encoded and input_ids plain
        Assert.Contains(Format.Encoding.RleDictionary, encodings);
        Assert.DoesNotContain(Format.Encoding.RleDictionary, reader.Metadata.RowGroups[0].Columns[0].MetaData!.Encodings);
    }

    [Fact]
    public void DictionaryIsSkipped_When_StringsAreUnique()
    {
        // Given unique strings
        using var dir = new TempDirectory();
        var path = dir.File("unique.parquet");
        var column = ParquetColumn.String("s");
        using (var writer = new ParquetWriter(path, new ParquetSchema(column)))
        {
            writer.Write(ColumnData.FromStrings(column, Enumerable.Range(0, 5000).Select(i => $"unique value number {i}").ToArray()));
            writer.Complete();
        }

        // When the footer is read
        using var reader = ParquetReader.Open(path);

        // Then the chunk is plain
        Assert.DoesNotContain(Format.Encoding.RleDictionary, reader.Metadata.RowGroups[0].Columns[0].MetaData!.Encodings);
    }

    [Fact]
    public void OnlyRequestedColumnIsRead_When_OtherColumnIsDamaged()
    {
        // Given a file whose lang chunk is overwritten
        using var dir = new TempDirectory();
        var path = dir.File("partial.parquet");
        var shard = new TokenShardFixture(rows: 300);
        shard.Write(path);
        var bytes = File.ReadAllBytes(path);
        using (var reader = ParquetReader.Open(path))
        {
            var lang = reader.Metadata.RowGroups[0].Columns[1].MetaData!;
            bytes.AsSpan((int)(lang.DictionaryPageOffset ?? lang.DataPageOffset), (int)lang.TotalCompressedSize).Fill(0xEE);
        }
        File.WriteAllBytes(path, bytes);

        // When only input_ids is read
        using var damaged = ParquetReader.Open(path);
        var ids = damaged.ReadColumn(0, "input_ids");

        // Then it reads fine while lang reports the damage
        Assert.Equal(shard.Tokens, ids.Int32Span.ToArray());
        Assert.Throws<ParquetFormatException>(() => damaged.ReadColumn(0, "lang"));
    }

    private static ParquetWriterOptions Options(string layout) => layout switch
    {
        "zstd-v1" => new() { Codec = CompressionCodec.Zstd },
        "snappy-v2" => new() { Codec = CompressionCodec.Snappy, DataPageV2 = true },
        "gzip-v1-plain" => new() { Codec = CompressionCodec.Gzip, DictionaryForBinary = false },
        "uncompressed-v2-delta" => new() { Codec = CompressionCodec.Uncompressed, DataPageV2 = true, DeltaIntegers = true, DeltaLengthByteArrays = true, DictionaryForBinary = false },
        "zstd-v2-incremental" => new() { DataPageV2 = true, DeltaByteArrays = true, DictionaryForBinary = false },
        "lz4-v1-split" => new() { Codec = CompressionCodec.Lz4Raw, ByteStreamSplitFloats = true },
        "brotli-v2" => new() { Codec = CompressionCodec.Brotli, DataPageV2 = true, RowGroupTargetBytes = 50_000 },
        _ => new() { Codec = CompressionCodec.Zstd, PageTargetBytes = 100, RowGroupTargetBytes = 1 },
    };
}
