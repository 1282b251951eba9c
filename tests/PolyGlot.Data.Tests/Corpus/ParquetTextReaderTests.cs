using PolyGlot.Data.Corpus;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

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
}
