using System.IO.Compression;
using System.Text;
using PolyGlot.Data.Corpus;

namespace PolyGlot.Data.Tests.Corpus;

public sealed class CorpusReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-corpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static CorpusSourceConfig Source(string path, string format = CorpusFormats.Text, string? lang = "de") =>
        new() { Name = "s", Path = path, Format = format, Lang = lang };

    [Fact]
    public void EachNonBlankLineIsADocument_When_TheTextSourceReadsLines()
    {
        var path = Write("a.txt", "erste Zeile\r\n\n  \nzweite Zeile");
        var documents = CorpusReader.ReadDocuments(Source(path)).ToList();
        Assert.Equal(["erste Zeile", "zweite Zeile"], documents.Select(d => d.Text));
        Assert.All(documents, d => Assert.Equal("de", d.Language));
        Assert.Equal($"{path}:4", documents[1].Location);
    }

    /// <summary>A text file with a byte order mark, CRLF endings, lines of Unicode white space only, and a line of 300 KB.</summary>
    internal static (byte[] Content, string[] Documents, long[] Lines) AwkwardLines()
    {
        var longLine = string.Concat(Enumerable.Repeat("ab€漢 \u00A0𝄞", 300_000 / 16));
        string[] documents = ["first", "\u00A0lead", longLine, "last without newline"];
        var text = "first\r\n\u00A0\u3000\t \r\n\u2028\n\u00A0lead\n" + longLine + "\n\n" + "last without newline";
        return ([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(text)], documents, [1, 4, 5, 7]);
    }

    [Theory]
    [InlineData("a.txt")]
    [InlineData("a.txt.gz")]
    public void LinesAreTheDocumentsAsInTheFile_When_TheFileHasABomCrlfUnicodeBlanksAndALongLine(string name)
    {
        // Given an awkward text file, plain or gzipped
        var (content, expected, lines) = AwkwardLines();
        var path = name.EndsWith(".gz", StringComparison.Ordinal) ? WriteBytes(name, Gzip(content)) : WriteBytes(name, content);

        // When its documents are read as strings and as bytes
        var documents = CorpusReader.ReadDocuments(Source(path)).ToList();
        var bytes = new List<byte[]>();
        using (var reader = new LineDocumentReader(Source(path)))
            while (reader.TryRead(out var text))
                bytes.Add(text.ToArray());

        // Then both are the lines that are not white space, without endings or the byte order mark, at their line numbers
        Assert.Equal(expected, documents.Select(d => d.Text));
        Assert.Equal(lines.Select(n => $"{path}:{n}"), documents.Select(d => d.Location));
        Assert.Equal(expected.Select(Encoding.UTF8.GetBytes), bytes);
    }

    [Fact]
    public void BlankLinesSeparateDocuments_When_TheTextSourceReadsParagraphs()
    {
        var path = Write("a.txt", "eins\nzwei\n\n\ndrei\n");
        var source = Source(path);
        source.Documents = "paragraph";
        Assert.Equal(["eins\nzwei", "drei"], CorpusReader.ReadDocuments(source).Select(d => d.Text));
    }

    [Fact]
    public void GzipFilesAreDecompressed_When_TheNameEndsInGz()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write("こんにちは\n世界\n"u8);
        var path = WriteBytes("ja.txt.gz", buffer.ToArray());
        Assert.Equal(["こんにちは", "世界"], CorpusReader.ReadDocuments(Source(path, lang: "ja")).Select(d => d.Text));
    }

    [Fact]
    public void GlobReadsMatchingFilesInNameOrder_When_ThePathHasAWildcard()
    {
        Write("b.txt", "zwei");
        Write("a.txt", "eins");
        Write("c.md", "nicht");
        var texts = CorpusReader.ReadDocuments(Source(Path.Combine(_dir, "*.txt"))).Select(d => d.Text);
        Assert.Equal(["eins", "zwei"], texts);
    }

    [Fact]
    public void LanguageComesFromTheRow_When_JsonlHasALangField()
    {
        var path = Write("a.jsonl", "{\"text\":\"hello\",\"lang\":\"en\"}\n{\"text\":\"Hallo\"}\n");
        var source = Source(path, CorpusFormats.Jsonl);
        source.LangField = "lang";
        var documents = CorpusReader.ReadDocuments(source).ToList();
        Assert.Equal([("hello", "en"), ("Hallo", "de")], documents.Select(d => (d.Text, d.Language)));
    }

    [Fact]
    public void ErrorNamesFileLineAndField_When_AJsonlRowLacksTheTextField()
    {
        var path = Write("a.jsonl", "{\"text\":\"ok\"}\n{\"content\":\"x\"}\n");
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path, CorpusFormats.Jsonl)).ToList());
        Assert.Equal(path, error.File);
        Assert.Equal("line 2", error.Position);
        Assert.Contains("\"text\"", error.Message);
    }

    [Fact]
    public void ErrorNamesFileAndLine_When_AJsonlLineIsNotJson()
    {
        var path = Write("a.jsonl", "{\"text\":\"ok\"}\n{\"text\": oops}\n");
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path, CorpusFormats.Jsonl)).ToList());
        Assert.Equal("line 2", error.Position);
    }

    [Fact]
    public void EveryReaderNamesTheSameLineAndByte_When_TheInvalidByteComesAfterALongValidStart()
    {
        // Given line 2 holding 300 'ü' (600 bytes, more than one decoding step) and then a stray 0xFF
        var path = WriteBytes("a.txt", [.. "eins\n"u8, .. Encoding.UTF8.GetBytes(new string('ü', 300)), 0xFF, (byte)'x', (byte)'\n']);

        // When it is read as strings, and as bytes checked while reading
        var asStrings = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());
        var asBytes = Assert.Throws<CorpusFormatException>(() =>
        {
            using var reader = new LineDocumentReader(Source(path));
            while (reader.TryRead(out _))
            {
            }
        });

        // Then both name line 2 and byte 600
        foreach (var error in new[] { asStrings, asBytes })
        {
            Assert.Equal((path, "line 2"), (error.File, error.Position));
            Assert.Contains("byte 600 ", error.Message);
        }
    }

    [Fact]
    public void ErrorNamesFileAndLine_When_ALineIsNotValidUtf8()
    {
        // Given a Latin-1 'ü' (0xFC) on line 3
        var path = WriteBytes("a.txt", [.. "eins\nzwei\n"u8, (byte)'M', 0xFC, (byte)'n', (byte)'\n']);
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());
        Assert.Equal(path, error.File);
        Assert.Equal("line 3", error.Position);
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void ErrorNamesTheFile_When_ItIsEmpty()
    {
        var path = Write("empty.txt", "");
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());
        Assert.Equal(path, error.File);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void ErrorNamesTheFile_When_ItHoldsOnlyBlankLines()
    {
        var path = Write("blank.txt", "\n \n");
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).ToList());
        Assert.Contains("no documents", error.Message);
    }

    [Fact]
    public void PairsCarryBothLanguages_When_ATsvSourceIsRead()
    {
        var path = Write("en-de.tsv", "Open the file\tÖffnen Sie die Datei\n");
        var source = new CorpusSourceConfig { Name = "p", Path = path, Format = CorpusFormats.TsvPairs, SrcLang = "en", TgtLang = "de" };
        var pair = Assert.Single(CorpusReader.ReadPairs(source));
        Assert.Equal(("Open the file", "en", "Öffnen Sie die Datei", "de"), (pair.SourceText, pair.SourceLanguage, pair.TargetText, pair.TargetLanguage));
    }

    [Fact]
    public void ErrorNamesFileAndLine_When_ATsvLineHasNoTab()
    {
        var path = Write("en-de.tsv", "a\tb\nnur eine Spalte\n");
        var source = new CorpusSourceConfig { Name = "p", Path = path, Format = CorpusFormats.TsvPairs, SrcLang = "en", TgtLang = "de" };
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadPairs(source).ToList());
        Assert.Equal("line 2", error.Position);
        Assert.Contains("2 tab-separated columns", error.Message);
    }

    [Fact]
    public void PairLanguagesComeFromTheRow_When_JsonlPairsHaveLanguageFields()
    {
        var path = Write("pairs.jsonl", "{\"src\":\"Hi\",\"tgt\":\"Salut\",\"sl\":\"en\",\"tl\":\"fr\"}\n");
        var source = new CorpusSourceConfig { Name = "p", Path = path, Format = CorpusFormats.JsonlPairs, SrcLangField = "sl", TgtLangField = "tl" };
        var pair = Assert.Single(CorpusReader.ReadPairs(source));
        Assert.Equal(("en", "fr"), (pair.SourceLanguage, pair.TargetLanguage));
    }

    private static byte[] Gzip(string text) => Gzip(Encoding.UTF8.GetBytes(text));

    private static byte[] Gzip(byte[] content)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(content);
        return buffer.ToArray();
    }

    [Fact]
    public void FailsNamingTheFile_When_GzipFileIsTruncated()
    {
        // Given a .gz file cut in half (an interrupted copy): GZipStream alone reads it as a shorter file
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i} of a corpus that was copied halfway\n"));
        var whole = Gzip(text);
        var path = WriteBytes("cut.txt.gz", whole[..(whole.Length / 2)]);

        // When it is read to the end
        var error = Assert.Throws<CorpusFormatException>(() => CorpusReader.ReadDocuments(Source(path)).Count());

        // Then the error names the file and says it ends early
        Assert.Equal(path, error.File);
        Assert.Contains("ends early", error.Message);
    }

    [Fact]
    public void ReadsEveryLine_When_GzipFileIsWhole()
    {
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n"));
        var path = WriteBytes("whole.txt.gz", Gzip(text));

        Assert.Equal(2000, CorpusReader.ReadDocuments(Source(path)).Count());
    }
}
