using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Tests.Interop;

namespace PolyGlot.Parquet.Tests.Reading;

public class UnsupportedColumnTests
{
    [Fact]
    public void MapAndNestedListsReportWhy_When_ReadWhileOtherColumnsRead()
    {
        // Given a DuckDB file with a map, a nested list and a plain column
        using var dir = new TempDirectory();
        var path = dir.File("nested.parquet");
        DuckDb.Query($"COPY (SELECT i::INT AS id, MAP {{'k' || i: i}} AS m, [[i, i + 1], []] AS ll FROM range(10) t(i)) TO {DuckDb.Literal(path)} (FORMAT PARQUET)", "SELECT 1");

        // When each column is read
        using var reader = ParquetReader.Open(path);
        var ids = reader.ReadColumn(0, "id");
        var map = Assert.Throws<ParquetException>(() => reader.ReadColumn(0, "m"));
        var nested = Assert.Throws<ParquetException>(() => reader.ReadColumn(0, "ll"));

        // Then the plain column reads and the others say why they cannot
        Assert.Equal(Enumerable.Range(0, 10), ids.Int32Span.ToArray());
        Assert.Contains("map", map.Message);
        Assert.Contains("nests lists 2 deep", nested.Message);
    }
}
