using System.Text.Json;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// Reads a JSON-lines file that another process may still be appending to, or that a crash left
/// with a torn last line: every line that parses is returned, every one that does not becomes a
/// note, and nothing throws for bad content.
/// </summary>
internal static class JsonLines
{
    /// <summary>
    /// Hands each line of <paramref name="path"/> that is a JSON object to <paramref name="each"/>
    /// (the element lives only during the call); <paramref name="notes"/> gets one sentence per problem.
    /// Streams the file, so a 150,000-step run costs one line of memory at a time.
    /// </summary>
    public static void Read(string path, List<string> notes, Action<JsonElement> each)
    {
        var name = Path.GetFileName(path);
        var bad = new List<int>();
        var (number, parsed, lastContent) = (0, 0, 0);
        try
        {
            // ReadWrite sharing: the trainer keeps the file open for appending while a report is drawn.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                number++;
                if (line.Trim().Length == 0)
                    continue;
                lastContent = number;
                if (TryParse(line, each))
                    parsed++;
                else
                    bad.Add(number);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{name} could not be read ({e.Message}); the report shows what was read before the error.");
        }
        if (bad.Count > 0 && bad[^1] == lastContent)
        {
            bad.RemoveAt(bad.Count - 1);
            notes.Add($"the last line of {name} is incomplete (the run crashed or was writing it); the report shows the {parsed} lines before it.");
        }
        if (bad.Count > 0)
            notes.Add($"{bad.Count} line(s) of {name} are not JSON objects and were left out (line {string.Join(", ", bad.Take(5))}{(bad.Count > 5 ? ", ..." : "")}).");
    }

    private static bool TryParse(string line, Action<JsonElement> each)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return false;
            each(doc.RootElement);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A number, or NaN when the property is missing, null or not a number.</summary>
    public static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    /// <summary>A whole number, or <paramref name="fallback"/>.</summary>
    public static long Integer(JsonElement e, string name, long fallback = 0) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : fallback;

    /// <summary>A string, or null.</summary>
    public static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A UTC time, or null.</summary>
    public static DateTime? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out var t) ? t.ToUniversalTime() : null;

    /// <summary>An object of numbers (nulls and non-numbers left out), in file order.</summary>
    public static IReadOnlyDictionary<string, double> Numbers(JsonElement e, string name)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object)
            foreach (var p in v.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number)
                    result[p.Name] = p.Value.GetDouble();
        return result;
    }

    /// <summary>An object of whole numbers, in file order.</summary>
    public static IReadOnlyDictionary<string, long> Integers(JsonElement e, string name)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object)
            foreach (var p in v.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out var n))
                    result[p.Name] = n;
        return result;
    }
}
