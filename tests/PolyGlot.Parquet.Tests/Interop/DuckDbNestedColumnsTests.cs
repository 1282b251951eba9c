using PolyGlot.Parquet.Reading;

namespace PolyGlot.Parquet.Tests.Interop;

/// <summary>
/// Files shaped like published text datasets, written by DuckDB: a text column beside nested metadata
/// (structs, a map, a list of structs). The text and the struct fields read; the rest says why not.
/// </summary>
public class DuckDbNestedColumnsTests
{
    // A datasets-style table: text (some null), a nested struct, a map, a list of structs, a list of strings.
    private const string DatasetTable = """
        SELECT CASE WHEN i % 9 = 4 THEN NULL ELSE 'Dokument ' || i || ' — 日本語 مرحبا ' || repeat('x', i % 50) END AS text,
               {'url': 'https://example.org/' || i, 'score': i / 7.0, 'crawl': {'lang': ['de', 'ja'][1 + i % 2], 'n': i}} AS meta,
               MAP {'source': 'web', 'shard': i::VARCHAR} AS attributes,
               [{'start': i, 'end': i + 3, 'label': 'PER'}, {'start': i + 5, 'end': i + 9, 'label': 'LOC'}] AS entities,
               ['tag' || (i % 3), 'all'] AS tags
        FROM range(3000) t(i)
        """;

    [Fact]
    public void TextAndStructFieldsMatchDuckDb_When_TheFileAlsoHoldsMapsAndListsOfStructs()
    {
        // Given a DuckDB file of the datasets shape in several row groups
        using var dir = new TempDirectory();
        var path = dir.File("dataset.parquet");
        var expected = DuckDb.Query(
            $"COPY ({DatasetTable}) TO {DuckDb.Literal(path)} (FORMAT PARQUET, ROW_GROUP_SIZE 1000)",
            $"SELECT text, meta.url AS url, meta.crawl.lang AS lang, tags FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true) ORDER BY file_row_number");

        // When we read the text, two struct fields and the list of strings, and try the map and the list of structs
        using var reader = ParquetReader.Open(path);
        var text = DuckDb.ReadCanonical(reader, "text");
        var url = DuckDb.ReadCanonical(reader, "meta.url");
        var lang = DuckDb.ReadCanonical(reader, "meta.crawl.lang");
        var tags = DuckDb.ReadCanonical(reader, "tags");
        var map = Assert.Throws<ParquetException>(() => reader.ReadColumn(0, "attributes"));
        var entities = Assert.Throws<ParquetException>(() => reader.ReadColumn(0, "entities"));

        // Then the readable columns equal DuckDB's cells and the others name what they are
        Assert.True(reader.RowGroupCount > 1);
        Assert.Equal(expected.Select(r => DuckDb.Canonical(r.GetProperty("text"))), text);
        Assert.Equal(expected.Select(r => DuckDb.Canonical(r.GetProperty("url"))), url);
        Assert.Equal(expected.Select(r => DuckDb.Canonical(r.GetProperty("lang"))), lang);
        Assert.Equal(expected.Select(r => DuckDb.Canonical(r.GetProperty("tags"))), tags);
        Assert.Contains("part of a map", map.Message);
        Assert.Contains("field of a list of structs", entities.Message);
        var entityColumns = reader.Schema.Columns.Where(c => c.Name == "entities").ToList();
        Assert.NotEmpty(entityColumns);
        Assert.All(entityColumns, c => Assert.NotNull(c.UnsupportedReason));
    }
}
