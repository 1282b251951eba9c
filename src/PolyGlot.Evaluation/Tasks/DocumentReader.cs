using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

namespace PolyGlot.Evaluation.Tasks;

/// <summary>
/// Reads a task's local data: JSONL (one JSON object a line; numbers, booleans, lists and nested
/// objects keep their types) or TSV (a header row of field names, then one document a line, every
/// value a string), optionally gzip-compressed.
/// </summary>
public static class DocumentReader
{
    /// <summary>The documents of <paramref name="path"/>, in file order.</summary>
    /// <exception cref="InvalidDataException">A line that is not a JSON object, or a TSV row with the wrong number of columns.</exception>
    public static List<Dictionary<string, object?>> Read(string path)
    {
        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        var lines = ReadLines(path);
        if (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return lines.Select((line, i) => (line, i)).Where(l => l.line.Trim().Length > 0).Select(l => ParseJson(path, l.line, l.i + 1)).ToList();
        if (name.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
            return ParseTsv(path, lines);
        throw new InvalidDataException($"{path}: unknown data format; use .jsonl or .tsv (optionally .gz)");
    }

    private static List<string> ReadLines(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
            lines.Add(line);
        return lines;
    }

    private static Dictionary<string, object?> ParseJson(string path, string line, int number)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return Convert(json.RootElement) as Dictionary<string, object?>
                ?? throw new InvalidDataException($"{path}:{number}: the line is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{number}: not valid JSON: {e.Message}", e);
        }
    }

    private static object? Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value), StringComparer.Ordinal),
        _ => null,
    };

    private static List<Dictionary<string, object?>> ParseTsv(string path, List<string> lines)
    {
        if (lines.Count == 0)
            throw new InvalidDataException($"{path}: empty; a TSV task file needs a header row of field names");
        var header = lines[0].Split('\t');
        var documents = new List<Dictionary<string, object?>>();
        for (var i = 1; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
                continue;
            var cells = lines[i].Split('\t');
            if (cells.Length != header.Length)
                throw new InvalidDataException(
                    $"{path}:{i + 1}: {cells.Length} columns, the header has {header.Length} ({string.Join(", ", header)})");
            documents.Add(header.Zip(cells).ToDictionary(p => p.First, p => (object?)p.Second, StringComparer.Ordinal));
        }
        return documents;
    }

    /// <summary>Whole-number text as a number, as the harness reads a rendered target ("1" is index 1).</summary>
    internal static bool TryInteger(object? value, out int number)
    {
        number = 0;
        return value switch
        {
            long l when l is >= int.MinValue and <= int.MaxValue => (number = (int)l) == l,
            int i => (number = i) == i,
            string s when s.Length > 0 && s.All(char.IsAsciiDigit) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }
}
