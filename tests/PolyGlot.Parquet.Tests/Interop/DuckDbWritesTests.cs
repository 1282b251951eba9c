using PolyGlot.Parquet.Reading;

namespace PolyGlot.Parquet.Tests.Interop;

/// <summary>Files written by DuckDB are read by us with the values DuckDB reads from them.</summary>
public class DuckDbWritesTests
{
    private const string Table = """
        SELECT i::INT AS i32,
               CASE WHEN i % 7 = 0 THEN NULL ELSE i * 1000000007 END::BIGINT AS i64,
               (i / 3.0)::DOUBLE AS d,
               CASE WHEN i % 9 = 0 THEN NULL ELSE (i / 7.0)::FLOAT END AS f,
               CASE WHEN i % 4 = 3 THEN NULL ELSE i % 3 = 0 END AS b,
               CASE WHEN i % 5 = 0 THEN NULL ELSE ['en', 'zh', 'ar', 'hi'][1 + i % 4] || repeat('日本😀', i % 3) END AS s_dict,
               CASE WHEN i % 6 = 0 THEN '' ELSE md5(i::VARCHAR) END AS s_plain,
               CASE WHEN i % 11 = 0 THEN NULL WHEN i % 11 = 1 THEN [] ELSE list_transform(range(i % 6), x -> CASE WHEN x = 2 THEN NULL ELSE (x * i)::INT END) END AS l32,
               [i::BIGINT, -i::BIGINT * 3000000000] AS l64,
               CASE WHEN i % 13 = 0 THEN NULL ELSE ['a' || i, NULL, '', 'مرحبا'] END AS lstr
        FROM range(5000) t(i)
        """;

    private static readonly string[] Columns = ["i32", "i64", "d", "f", "b", "s_dict", "s_plain", "l32", "l64", "lstr"];

    [Theory]
    [InlineData("uncompressed", "V1", 100_000)]
    [InlineData("snappy", "V1", 2048)]
    [InlineData("gzip", "V1", 1000)]
    [InlineData("zstd", "V1", 1000)]
    [InlineData("lz4_raw", "V1", 4096)]
    [InlineData("brotli", "V1", 100_000)]
    [InlineData("uncompressed", "V2", 1000)]
    [InlineData("snappy", "V2", 2048)]
    [InlineData("zstd", "V2", 100_000)]
    [InlineData("gzip", "V2", 3000)]
    public void Values_MatchDuckDb_When_DuckDbWroteTheFile(string codec, string version, int rowGroupSize)
    {
        // Given a file DuckDB wrote with this codec, page version and row group size
        using var dir = new TempDirectory();
        var path = dir.File($"duck-{codec}-{version}.parquet");
        var expected = DuckDb.Query(
            $"COPY ({Table}) TO {DuckDb.Literal(path)} (FORMAT PARQUET, COMPRESSION {codec}, ROW_GROUP_SIZE {rowGroupSize}, PARQUET_VERSION {version})",
            $"SELECT * FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true) ORDER BY file_row_number");

        // When we read every column
        using var reader = ParquetReader.Open(path);
        var actual = Columns.ToDictionary(c => c, c => DuckDb.ReadCanonical(reader, c));

        // Then each cell equals what DuckDB reads (and V2 files exercised the delta encodings)
        Assert.Equal(5000, expected.Length);
        var encodings = reader.Metadata.RowGroups.SelectMany(g => g.Columns).SelectMany(c => c.MetaData!.Encodings).ToHashSet();
        if (version == "V2") Assert.Contains(Format.Encoding.DeltaBinaryPacked, encodings);
        Assert.True(encodings.Contains(Format.Encoding.PlainDictionary) || encodings.Contains(Format.Encoding.RleDictionary));
        foreach (var column in Columns)
        {
            var want = expected.Select(row => DuckDb.Canonical(row.GetProperty(column))).ToList();
            Assert.Equal(want, actual[column]);
        }
    }
}
