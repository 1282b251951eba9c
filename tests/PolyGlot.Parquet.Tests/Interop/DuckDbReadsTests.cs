using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Parquet.Tests.Interop;

/// <summary>Files we write are read by DuckDB with the values we wrote.</summary>
public class DuckDbReadsTests
{
    public static TheoryData<CompressionCodec, bool, bool, bool> Layouts => new()
    {
        { CompressionCodec.Snappy, true, false, true },
        { CompressionCodec.Zstd, false, true, false },
        { CompressionCodec.Snappy, false, false, false },
        { CompressionCodec.Gzip, true, true, false },
        { CompressionCodec.Uncompressed, true, false, true },
        { CompressionCodec.Lz4Raw, false, true, true },
        { CompressionCodec.Brotli, true, true, false },
        { CompressionCodec.Zstd, true, false, true },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Values_MatchWhatWeWrote_When_DuckDbReadsOurFile(CompressionCodec codec, bool pageV2, bool dictionary, bool deltaAndSplit)
    {
        // Given every type written with this codec and layout, in several row groups and pages
        using var dir = new TempDirectory();
        var path = dir.File("ours.parquet");
        var fixture = new AllTypesFixture(rows: 3000);
        fixture.Write(path, new ParquetWriterOptions
        {
            Codec = codec, DataPageV2 = pageV2, DictionaryForBinary = dictionary, PageTargetBytes = 8 * 1024,
            DeltaIntegers = deltaAndSplit, DeltaLengthByteArrays = deltaAndSplit, ByteStreamSplitFloats = deltaAndSplit,
            DeltaByteArrays = deltaAndSplit && pageV2 && codec == CompressionCodec.Snappy,
        });

        // When DuckDB reads it (binary as hex so that it compares as text)
        var rows = DuckDb.Query(
            $"SELECT * REPLACE (hex(bin) AS bin, hex(fixed) AS fixed) FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true) ORDER BY file_row_number");

        // Then each cell is the value written
        Assert.Equal(fixture.Rows, rows.Length);
        foreach (var data in fixture.Columns)
        {
            var want = Enumerable.Range(0, data.RowCount).Select(r => DuckDb.Canonical(data, r)).ToList();
            var got = rows.Select(row => DuckDb.Canonical(row.GetProperty(data.Column.Name))).ToList();
            Assert.Equal(want, got);
        }
    }

    [Fact]
    public void TokenCountsAndSums_MatchDuckDb_When_ShardHasManyRowGroups()
    {
        // Given a token shard in many row groups
        using var dir = new TempDirectory();
        var path = dir.File("shard.parquet");
        var shard = new TokenShardFixture(rows: 4000);
        shard.Write(path, new ParquetWriterOptions { RowGroupTargetBytes = 300_000 });

        // When DuckDB aggregates over the lists
        var row = DuckDb.Query(
            $"SELECT count(*) AS n, sum(len(input_ids))::BIGINT AS tokens, sum(list_sum(input_ids))::BIGINT AS total, count(DISTINCT lang) AS langs FROM {DuckDb.Literal(path)}")[0];

        // Then counts and sums equal the written tokens
        Assert.Equal(shard.Rows.ToString(), DuckDb.Canonical(row.GetProperty("n")));
        Assert.Equal(shard.Tokens.Length.ToString(), DuckDb.Canonical(row.GetProperty("tokens")));
        Assert.Equal(shard.Tokens.Sum(t => (long)t).ToString(), DuckDb.Canonical(row.GetProperty("total")));
        Assert.Equal(shard.Lang.Distinct().Count().ToString(), DuckDb.Canonical(row.GetProperty("langs")));
    }
}
