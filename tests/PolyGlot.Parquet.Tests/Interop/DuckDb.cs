using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Tests.Interop;

/// <summary>
/// DuckDB (the npm package @duckdb/node-api, installed by scripts/setup.sh) run through
/// interop/duckdb-sql.mjs, and the canonical cell text both sides are compared in.
/// </summary>
internal static class DuckDb
{
    private static readonly Lazy<string> Script = new(FindScript);

    /// <summary>Runs the statements and returns the rows of the last one.</summary>
    public static JsonElement[] Query(params string[] sql)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script.Value);
        foreach (var statement in sql) start.ArgumentList.Add(statement);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException("DuckDB did not answer within 120 s");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"DuckDB failed: {stderr.Result}");
        using var document = JsonDocument.Parse(stdout.Result);
        return document.RootElement.GetProperty("rows").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Path in SQL string-literal form.</summary>
    public static string Literal(string path) => "'" + path.Replace("'", "''") + "'";

    /// <summary>Canonical text of a DuckDB JSON cell.</summary>
    public static string Canonical(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => double.Parse(cell.GetRawText(), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.String => cell.GetString()!,
        JsonValueKind.Array => "[" + string.Join(",", cell.EnumerateArray().Select(Canonical)) + "]",
        _ => cell.GetRawText(),
    };

    /// <summary>Canonical text of row <paramref name="row"/> of a column we read.</summary>
    public static string Canonical(ColumnData data, int row)
    {
        if (!data.Column.IsList) return CanonicalValue(data, row);
        if (data.IsListNull(row)) return "null";
        var items = Enumerable.Range(data.Offsets![row], data.Offsets[row + 1] - data.Offsets[row]).Select(i => CanonicalValue(data, i));
        return "[" + string.Join(",", items) + "]";
    }

    private static string CanonicalValue(ColumnData data, int index)
    {
        if (data.IsNull(index)) return "null";
        return data.Column.PhysicalType switch
        {
            PhysicalType.Int32 => ((double)data.Int32Values[index]).ToString("R", CultureInfo.InvariantCulture),
            PhysicalType.Int64 => data.Int64Values[index].ToString(CultureInfo.InvariantCulture),
            PhysicalType.Float => ((double)data.FloatValues[index]).ToString("R", CultureInfo.InvariantCulture),
            PhysicalType.Double => data.DoubleValues[index].ToString("R", CultureInfo.InvariantCulture),
            PhysicalType.Boolean => data.BooleanValues[index] ? "true" : "false",
            _ when data.Column.IsString => data.GetString(index)!,
            _ => Convert.ToHexString(data.GetBytes(index)),
        };
    }

    /// <summary>All rows of a column of a file, canonical, across row groups.</summary>
    public static List<string> ReadCanonical(ParquetReader reader, string column)
    {
        var cells = new List<string>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var data = reader.ReadColumn(g, column);
            for (var r = 0; r < data.RowCount; r++) cells.Add(Canonical(data, r));
        }
        return cells;
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "PolyGlot.Parquet.Tests", "interop");
            if (!File.Exists(Path.Combine(candidate, "duckdb-sql.mjs"))) continue;
            if (!Directory.Exists(Path.Combine(candidate, "node_modules", "@duckdb")))
                throw new InvalidOperationException($"DuckDB is not installed in {candidate}; run scripts/setup.sh (npm ci there)");
            return Path.Combine(candidate, "duckdb-sql.mjs");
        }
        throw new InvalidOperationException("tests/PolyGlot.Parquet.Tests/interop/duckdb-sql.mjs not found above " + AppContext.BaseDirectory);
    }
}
