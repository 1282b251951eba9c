using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Parquet.Tests.Interop;

/// <summary>Legacy 2-level lists: we write and read them, and DuckDB reads them the same.</summary>
public class LegacyListTests
{
    [Fact]
    public void LegacyLists_ReadAsLists_When_WrittenInTwoLevelLayout()
    {
        // Given list<int64> and list<string> in the 2-level layout, with null and empty lists
        using var dir = new TempDirectory();
        var path = dir.File("legacy.parquet");
        var longs = PolyGlot.Parquet.Schema.ParquetColumn.LegacyList("l64", PhysicalType.Int64);
        var strings = PolyGlot.Parquet.Schema.ParquetColumn.LegacyList("lstr", PhysicalType.ByteArray, elementIsString: true);
        long[]?[] longRows = [[1, -2, long.MaxValue], null, [], [42]];
        string[]?[] stringRows = [["a", "", "日本"], [], null, ["😀"]];
        using (var writer = new ParquetWriter(path, new PolyGlot.Parquet.Schema.ParquetSchema(longs, strings)))
        {
            writer.Write(PolyGlot.Parquet.Schema.ColumnData.FromLists(longs, longRows), PolyGlot.Parquet.Schema.ColumnData.FromLists(strings, stringRows));
            writer.Complete();
        }

        // When we and DuckDB read it
        using var reader = PolyGlot.Parquet.Reading.ParquetReader.Open(path);
        var rows = DuckDb.Query($"SELECT * FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true) ORDER BY file_row_number");

        // Then both see the same lists
        Assert.True(reader.Schema.Columns[0].IsLegacyList);
        Assert.Equal(["[1,-2,9223372036854775807]", "null", "[]", "[42]"], DuckDb.ReadCanonical(reader, "l64"));
        Assert.Equal(["[a,,日本]", "[]", "null", "[😀]"], DuckDb.ReadCanonical(reader, "lstr"));
        Assert.Equal(DuckDb.ReadCanonical(reader, "l64"), rows.Select(r => DuckDb.Canonical(r.GetProperty("l64"))));
        Assert.Equal(DuckDb.ReadCanonical(reader, "lstr"), rows.Select(r => DuckDb.Canonical(r.GetProperty("lstr"))));
    }
}
