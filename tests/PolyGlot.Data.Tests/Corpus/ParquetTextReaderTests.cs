using PolyGlot.Data.Corpus;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;
using PolyGlot.Parquet.Tests.Interop;

namespace PolyGlot.Data.Tests.Corpus;

public sealed class ParquetTextReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-parquet-corpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, ParquetSchema schema, Func<IReadOnlyList<ParquetColumn>, ColumnData[]> columns)
    {
        var path = Path.Combine(_dir, name);
        using var writer = new ParquetWriter(path, schema);
        writer.Write(columns(writer.Schema.Columns));
        writer.Complete();
        return path;
    }

    private static CorpusSourceConfig Source(string path) =>
        new() { Name = "p", Path = path, Format = CorpusFormats.Parquet, Lang = "de", LangField = "lang" };

    [Fact]
    public void RowsOfTheTextColumnAreDocuments_When_AParquetSourceIsRead()
    {
        // Given a datasets-style file with text and lang columns, one text null and one blank
        var path = Write("train.parquet", new ParquetSchema(ParquetColumn.String("text", nullable: true), ParquetColumn.String("lang", nullable: true)),
            c => [ColumnData.FromStrings(c[0], ["Hallo Welt", null, " ", "hello"]), ColumnData.FromStrings(c[1], [null, "en", "en", "en"])]);

        // When it is read
        var documents = CorpusReader.ReadDocuments(Source(path)).ToList();

        // Then null and blank rows are skipped and a missing lang falls back to the source's
        Assert.Equal([("Hallo Welt", "de"), ("hello", "en")], documents.Select(d => (d.Text, d.Language)));
        Assert.Equal($"{path}:row 3", documents[1].Location);
    }

    [Fact]
    public void ErrorNamesFileAndColumnType_When_TheTextColumnIsNotAString()
    {
        var path = Write("ints.parquet", new ParquetSchema(ParquetColumn.Int64("text")),
            c => [ColumnData.FromInt64(c[0], [1, 2])]);
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());
        Assert.Equal(path, error.File);
        Assert.Contains("'text' is Int64, not a string", error.Message);
    }

    [Fact]
    public void ErrorListsTheColumns_When_TheTextColumnIsMissing()
    {
        var path = Write("content.parquet", new ParquetSchema(ParquetColumn.String("content")),
            c => [ColumnData.FromStrings(c[0], ["x"])]);
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());
        Assert.Contains("no column 'text'", error.Message);
        Assert.Contains("content", error.Message);
    }

    [Fact]
    public void ErrorNamesTheFile_When_ItIsNotParquet()
    {
        var path = Path.Combine(_dir, "fake.parquet");
        File.WriteAllText(path, "not parquet at all");
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());
        Assert.Equal(path, error.File);
        Assert.Contains("not a readable Parquet file", error.Message);
    }

    [Fact]
    public void TextIsReadExactlyAndNestedColumnsSkipped_When_DuckDbWroteADatasetWithMetadata()
    {
        // Given a DuckDB file as datasets are published: text beside a struct, a map and a list of structs,
        // in several row groups, some texts null or blank
        var path = Path.Combine(_dir, "dataset.parquet");
        var expected = DuckDb.Query(
            $$$"""
            COPY (SELECT CASE WHEN i % 11 = 3 THEN NULL WHEN i % 11 = 5 THEN '  ' ELSE 'Text ' || i || ' — 中文 हिन्दी ' || repeat('ü', i % 40) END AS text,
                         {'url': 'https://example.org/' || i, 'meta': {'lang': 'de', 'score': i / 3.0}} AS metadata,
                         MAP {'source': 'crawl', 'id': i::VARCHAR} AS attributes,
                         [{'role': 'user', 'content': 'q' || i}, {'role': 'assistant', 'content': 'a' || i}] AS messages
                  FROM range(2500) t(i))
            TO {{{DuckDb.Literal(path)}}} (FORMAT PARQUET, ROW_GROUP_SIZE 1000)
            """,
            $"SELECT text FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true) WHERE trim(text) <> '' ORDER BY file_row_number");

        // When the corpus reader reads it as a source
        var documents = CorpusReader.ReadDocuments(Source(path)).ToList();

        // Then the documents are DuckDB's non-blank texts, byte for byte, and the other columns were never decoded
        Assert.Equal(expected.Select(r => r.GetProperty("text").GetString()), documents.Select(d => d.Text));
        Assert.All(documents, d => Assert.Equal("de", d.Language));
    }

    [Fact]
    public void TextInsideAStructIsRead_When_TextFieldNamesTheDottedPath()
    {
        // Given a DuckDB file whose text is a field of a struct, beside a list of structs
        var path = Path.Combine(_dir, "struct-text.parquet");
        var expected = DuckDb.Query(
            $"COPY (SELECT {{'body': 'Körper ' || i, 'n': i}} AS doc, [{{'a': i}}] AS spans FROM range(300) t(i)) TO {DuckDb.Literal(path)} (FORMAT PARQUET)",
            $"SELECT doc.body AS body FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true) ORDER BY file_row_number");

        // When text_field names the field by its dotted path
        var source = Source(path);
        source.TextField = "doc.body";
        var documents = CorpusReader.ReadDocuments(source).ToList();

        // Then the field's values are the documents
        Assert.Equal(expected.Select(r => r.GetProperty("body").GetString()), documents.Select(d => d.Text));
    }

    [Theory]
    [InlineData("MAP {'k': i::VARCHAR}", "cannot be read as text because it is part of a map")]
    [InlineData("[{'role': 'user', 'content': 'q' || i}]", "cannot be read as text because it is a field of a list of structs")]
    [InlineData("{'body': 'b' || i, 'title': 't'}", "is a struct (fields text.body, text.title), not a string")]
    [InlineData("['a' || i, 'b']", "is a list of ByteArray, not a string")]
    [InlineData("[[i, i + 1]]", "cannot be read as text because it nests lists 2 deep")]
    public void OneErrorNamesTheColumnAndItsType_When_TheTextColumnHasATypeThatIsNotText(string sql, string problem)
    {
        // Given a DuckDB file whose 'text' column is not a string
        var path = Path.Combine(_dir, "typed.parquet");
        DuckDb.Query($"COPY (SELECT {sql} AS text, 'ok' AS other FROM range(10) t(i)) TO {DuckDb.Literal(path)} (FORMAT PARQUET)", "SELECT 1");

        // When it is read as a source
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());

        // Then one error names the file, the column, why, and the setting to change
        Assert.Equal(path, error.File);
        Assert.Contains($"column 'text' {problem}", error.Message);
        Assert.Contains("Set text_field to a string column", error.Message);
    }
}
