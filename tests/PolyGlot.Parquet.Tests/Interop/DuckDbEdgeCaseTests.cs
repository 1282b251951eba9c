using PolyGlot.Parquet.Reading;

namespace PolyGlot.Parquet.Tests.Interop;

/// <summary>Corner cases of DuckDB's files: all-null columns, one-value dictionaries, empty results.</summary>
public class DuckDbEdgeCaseTests
{
    [Fact]
    public void AllNullAndConstantColumnsRead_When_DuckDbWroteThem()
    {
        // Given all-null columns (flat and list), a one-value dictionary and a table of zero rows
        using var dir = new TempDirectory();
        var path = dir.File("edge.parquet");
        var empty = dir.File("empty.parquet");
        DuckDb.Query(
            $"COPY (SELECT NULL::VARCHAR AS s, NULL::INT[] AS l, 'same' AS c, i::BIGINT AS i FROM range(3000) t(i)) TO {DuckDb.Literal(path)} (FORMAT PARQUET)",
            $"COPY (SELECT 1::INT AS x, [1]::INT[] AS l WHERE false) TO {DuckDb.Literal(empty)} (FORMAT PARQUET)",
            "SELECT 1");

        // When we read them
        using var reader = ParquetReader.Open(path);
        using var emptyReader = ParquetReader.Open(empty);
        var strings = DuckDb.ReadCanonical(reader, "s");
        var lists = DuckDb.ReadCanonical(reader, "l");
        var constant = DuckDb.ReadCanonical(reader, "c");

        // Then nulls are nulls, the constant repeats, and the empty file has no rows
        Assert.Equal(Enumerable.Repeat("null", 3000), strings);
        Assert.Equal(Enumerable.Repeat("null", 3000), lists);
        Assert.Equal(Enumerable.Repeat("same", 3000), constant);
        Assert.Equal(0, emptyReader.RowCount);
        Assert.Equal(["x", "l"], emptyReader.Schema.Columns.Select(c => c.Name));
    }
}
