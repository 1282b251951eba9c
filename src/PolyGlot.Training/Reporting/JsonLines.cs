using System.Text.Json;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// Reads a JSON-lines file that another process may still be appending to, or that a crash left
/// with a torn last line: every line that parses is returned, every one that does not becomes a
/// note, and nothing throws for bad content.
/// </summary>
internal static class JsonLines
{
    /// <summary>The parsed lines of <paramref name="path"/>; <paramref name="notes"/> gets one sentence per problem.</summary>
    public static List<JsonElement> Read(string path, List<string> notes)
    {
        var name = Path.GetFileName(path);
        string text;
        try
        {
            // ReadWrite sharing: the trainer keeps the file open for appending while a report is drawn.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{name} could not be read ({e.Message}); the report shows no data from it.");
            return [];
        }
        var lines = text.Split('\n');
        var parsed = new List<JsonElement>(lines.Length);
        var bad = new List<int>();
        var last = Array.FindLastIndex(lines, l => l.Trim().Length > 0);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
                continue;
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    parsed.Add(doc.RootElement.Clone());
                    continue;
                }
            }
            catch (JsonException)
            {
            }
            if (i == last)
                notes.Add($"the last line of {name} is incomplete (the run crashed or was writing it); the report shows the {parsed.Count} lines before it.");
            else
                bad.Add(i + 1);
        }
        if (bad.Count > 0)
            notes.Add($"{bad.Count} line(s) of {name} are not JSON objects and were left out (line {string.Join(", ", bad.Take(5))}{(bad.Count > 5 ? ", ..." : "")}).");
        return parsed;
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
