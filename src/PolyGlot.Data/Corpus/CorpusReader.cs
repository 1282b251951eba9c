using System.Text;
using System.Text.Json;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// Reads the documents (monolingual sources) or translation pairs (bilingual sources) of a
/// <see cref="CorpusSourceConfig"/>, streaming, file by file in name order. Bad input stops the read
/// with a <see cref="CorpusFormatException"/> naming the file and line or row.
/// </summary>
public static class CorpusReader
{
    /// <summary>The files a source's <see cref="CorpusSourceConfig.Path"/> names, in ordinal name order.</summary>
    public static IReadOnlyList<string> ResolveFiles(CorpusSourceConfig source)
    {
        var directory = Path.GetDirectoryName(source.Path) is { Length: > 0 } d ? d : ".";
        var pattern = Path.GetFileName(source.Path);
        if (pattern.IndexOfAny(['*', '?']) < 0)
            return File.Exists(source.Path)
                ? [source.Path]
                : throw new CorpusFormatException(source.Path, null, $"source '{source.Name}': the file does not exist; check its path");
        var files = Directory.Exists(directory)
            ? Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal).ToList()
            : [];
        if (files.Count == 0)
            throw new CorpusFormatException(source.Path, null, $"source '{source.Name}': no file matches this pattern");
        return files;
    }

    /// <summary>
    /// Throws, naming the source, when a source's file or pattern matches nothing: callers check
    /// before any output directory exists, so a typo leaves nothing behind.
    /// </summary>
    public static void CheckInputs(IEnumerable<CorpusSourceConfig> sources)
    {
        foreach (var source in sources)
            _ = ResolveFiles(source);
    }

    /// <summary>The documents of a monolingual source.</summary>
    public static IEnumerable<CorpusDocument> ReadDocuments(CorpusSourceConfig source)
    {
        if (source.IsBilingual)
            throw new ArgumentException($"Source '{source.Name}' is bilingual; read it with {nameof(ReadPairs)}.", nameof(source));
        if (LineDocumentReader.CanRead(source))
        {
            // Making the string checks the bytes (strictly, naming the file and line), so the reader need not.
            using var lines = new LineDocumentReader(source, checkUtf8: false);
            while (lines.TryRead(out var line))
            {
                var text = lines.Decode(line);
                yield return new CorpusDocument(text, lines.Language, lines.File, lines.LineNumber);
            }
            yield break;
        }
        foreach (var file in ResolveFiles(source))
        {
            var documents = source.Format switch
            {
                CorpusFormats.Text => ReadParagraphs(file, source),
                CorpusFormats.Jsonl => ReadJsonl(file, source),
                CorpusFormats.Parquet => ParquetTextReader.Read(file, source),
                _ => throw new ArgumentException($"Source '{source.Name}': format '{source.Format}' is not monolingual."),
            };
            var any = false;
            foreach (var document in documents)
            {
                any = true;
                yield return document;
            }
            if (!any)
                throw NoDocuments(file, source);
        }
    }

    /// <summary>The error for a file of a monolingual source that holds no document.</summary>
    internal static CorpusFormatException NoDocuments(string file, CorpusSourceConfig source) =>
        new(file, null, $"source '{source.Name}': the file holds no documents (only blank lines)");

    /// <summary>The translation pairs of a bilingual source.</summary>
    public static IEnumerable<BilingualPair> ReadPairs(CorpusSourceConfig source)
    {
        if (!source.IsBilingual)
            throw new ArgumentException($"Source '{source.Name}' is monolingual; read it with {nameof(ReadDocuments)}.", nameof(source));
        foreach (var file in ResolveFiles(source))
        {
            var any = false;
            var pairs = source.Format == CorpusFormats.TsvPairs ? ReadTsvPairs(file, source) : ReadJsonlPairs(file, source);
            foreach (var pair in pairs)
            {
                any = true;
                yield return pair;
            }
            if (!any)
                throw new CorpusFormatException(file, null, $"source '{source.Name}': the file holds no pairs (only blank lines)");
        }
    }

    private static IEnumerable<CorpusDocument> ReadParagraphs(string file, CorpusSourceConfig source)
    {
        var lines = new StringBuilder();
        long first = 0;
        foreach (var (number, text) in Utf8LineReader.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                if (lines.Length > 0)
                    yield return new CorpusDocument(lines.ToString(), source.Lang!, file, first);
                lines.Clear();
                continue;
            }
            if (lines.Length == 0)
                first = number;
            else
                lines.Append('\n');
            lines.Append(text);
        }
        if (lines.Length > 0)
            yield return new CorpusDocument(lines.ToString(), source.Lang!, file, first);
    }

    private static IEnumerable<CorpusDocument> ReadJsonl(string file, CorpusSourceConfig source)
    {
        foreach (var (number, line) in Utf8LineReader.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            using var json = ParseObject(line, file, number);
            var text = RequiredString(json.RootElement, source.TextField, file, number);
            var lang = OptionalString(json.RootElement, source.LangField, file, number) ?? source.Lang
                ?? throw new CorpusFormatException(file, $"line {number}",
                    $"no \"{source.LangField}\" field and the source declares no lang; add one of the two");
            yield return new CorpusDocument(text, lang, file, number);
        }
    }

    private static IEnumerable<BilingualPair> ReadTsvPairs(string file, CorpusSourceConfig source)
    {
        foreach (var (number, line) in Utf8LineReader.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var columns = line.Split('\t');
            if (columns.Length != 2)
                throw new CorpusFormatException(file, $"line {number}",
                    $"expected 2 tab-separated columns (source, target), found {columns.Length}; " +
                    "tabs inside the text must be replaced or the pair written as JSONL");
            yield return new BilingualPair(columns[0], source.SrcLang!, columns[1], source.TgtLang!, file, number);
        }
    }

    private static IEnumerable<BilingualPair> ReadJsonlPairs(string file, CorpusSourceConfig source)
    {
        foreach (var (number, line) in Utf8LineReader.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            using var json = ParseObject(line, file, number);
            var root = json.RootElement;
            yield return new BilingualPair(
                RequiredString(root, source.SrcField, file, number),
                OptionalString(root, source.SrcLangField, file, number) ?? source.SrcLang ?? MissingLanguage(file, number, source.SrcLangField),
                RequiredString(root, source.TgtField, file, number),
                OptionalString(root, source.TgtLangField, file, number) ?? source.TgtLang ?? MissingLanguage(file, number, source.TgtLangField),
                file, number);
        }
    }

    private static JsonDocument ParseObject(string line, string file, long number)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new CorpusFormatException(file, $"line {number}", $"not valid JSON ({e.Message}); each line must be one JSON object", e);
        }
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            json.Dispose();
            throw new CorpusFormatException(file, $"line {number}", "not a JSON object; each line must be one {...} object");
        }
        return json;
    }

    private static string RequiredString(JsonElement root, string field, string file, long number) =>
        OptionalString(root, field, file, number)
        ?? throw new CorpusFormatException(file, $"line {number}",
            $"missing the \"{field}\" field; set text_field (or src_field/tgt_field) to the field that holds the text");

    private static string? OptionalString(JsonElement root, string? field, string file, long number)
    {
        if (field is null || !root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CorpusFormatException(file, $"line {number}", $"the \"{field}\" field is a {value.ValueKind}, not a string");
    }

    private static string MissingLanguage(string file, long number, string? field) =>
        throw new CorpusFormatException(file, $"line {number}",
            $"no language: the row lacks \"{field}\" and the source declares no src_lang/tgt_lang");
}
