using System.Globalization;
using System.Text.Json;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Cli.Commands;

/// <summary>The text that <c>polyglot parquet schema|head|stats</c> print.</summary>
internal static class ParquetInspection
{
    public static void PrintSchema(ParquetReader reader, TextWriter output)
    {
        output.WriteLine($"{reader.Path}: {reader.RowCount:N0} rows, {reader.RowGroupCount} row groups, created by {reader.Metadata.CreatedBy ?? "(unknown)"}");
        foreach (var column in reader.Schema.Columns)
        {
            var layout = column.IsList ? $"  [leaf {column.Path}, max def {column.MaxDefinitionLevel}, max rep {column.MaxRepetitionLevel}]" : "";
            var unsupported = column.UnsupportedReason is { } reason ? $"  (not readable: {reason})" : "";
            output.WriteLine($"  {column}{layout}{unsupported}");
        }
        foreach (var (key, value) in reader.KeyValueMetadata)
            output.WriteLine($"  metadata {key} = {Shorten(value ?? "(null)", 200)}");
    }

    public static void PrintHead(ParquetReader reader, int rows, IReadOnlyList<string>? columns, TextWriter output)
    {
        // By default the columns that cannot be read (maps, nested lists) are left out, and said so.
        var names = columns is { Count: > 0 }
            ? columns
            : reader.Schema.Columns.Where(c => c.UnsupportedReason is null).Select(c => c.Name).Distinct().ToList();
        foreach (var skipped in reader.Schema.Columns.Where(c => c.UnsupportedReason is not null && columns is not { Count: > 0 }).Select(c => c.Name).Distinct())
            Serilog.Log.Warning("parquet head: column '{Column}' is left out (maps, lists of structs and nested lists are not supported)", skipped);
        foreach (var name in names) reader.GetColumn(name);
        var printed = 0;
        for (var g = 0; g < reader.RowGroupCount && printed < rows; g++)
        {
            var data = names.Select(n => reader.ReadColumn(g, n)).ToArray();
            for (var r = 0; r < data[0].RowCount && printed < rows; r++, printed++)
            {
                var row = new Dictionary<string, object?>();
                for (var c = 0; c < names.Count; c++) row[names[c]] = Cell(data[c], r);
                output.WriteLine(JsonSerializer.Serialize(row));
            }
        }
    }

    public static void PrintStats(ParquetReader reader, TextWriter output)
    {
        var meta = reader.Metadata;
        var compressed = meta.RowGroups.Sum(g => g.Columns.Sum(c => c.MetaData!.TotalCompressedSize));
        var uncompressed = meta.RowGroups.Sum(g => g.Columns.Sum(c => c.MetaData!.TotalUncompressedSize));
        output.WriteLine($"{reader.Path}: {reader.RowCount:N0} rows in {reader.RowGroupCount} row groups, " +
                         $"{compressed:N0} bytes compressed / {uncompressed:N0} uncompressed, format version {meta.Version}");
        for (var g = 0; g < meta.RowGroups.Count; g++)
        {
            var group = meta.RowGroups[g];
            output.WriteLine($"row group {g}: {group.NumRows:N0} rows, {group.TotalByteSize:N0} bytes uncompressed");
            for (var c = 0; c < group.Columns.Count; c++)
            {
                var chunk = group.Columns[c].MetaData!;
                var column = reader.Schema.Columns[c];
                output.WriteLine($"  {column.Path}: {chunk.Type} {chunk.Codec.ToString().ToUpperInvariant()} " +
                                 $"[{string.Join(",", chunk.Encodings.Select(SpecName))}] " +
                                 $"values {chunk.NumValues:N0}, {chunk.TotalCompressedSize:N0} / {chunk.TotalUncompressedSize:N0} bytes{Statistics(column, chunk.Statistics)}");
            }
        }
    }

    private static string Statistics(ParquetColumn column, Statistics? stats)
    {
        if (stats is null) return "";
        var parts = new List<string>();
        if (stats.NullCount is { } nulls) parts.Add($"nulls {nulls:N0}");
        var min = stats.MinValue ?? stats.Min;
        var max = stats.MaxValue ?? stats.Max;
        if (min is not null && max is not null) parts.Add($"min {Bound(column, min)} max {Bound(column, max)}");
        return parts.Count == 0 ? "" : ", " + string.Join(", ", parts);
    }

    private static string Bound(ParquetColumn column, byte[] bytes) => column.PhysicalType switch
    {
        PhysicalType.Int32 when bytes.Length == 4 => BitConverter.ToInt32(bytes).ToString(CultureInfo.InvariantCulture),
        PhysicalType.Int64 when bytes.Length == 8 => BitConverter.ToInt64(bytes).ToString(CultureInfo.InvariantCulture),
        PhysicalType.Float when bytes.Length == 4 => BitConverter.ToSingle(bytes).ToString("R", CultureInfo.InvariantCulture),
        PhysicalType.Double when bytes.Length == 8 => BitConverter.ToDouble(bytes).ToString("R", CultureInfo.InvariantCulture),
        PhysicalType.Boolean when bytes.Length == 1 => bytes[0] != 0 ? "true" : "false",
        PhysicalType.ByteArray when column.IsString => JsonSerializer.Serialize(Shorten(System.Text.Encoding.UTF8.GetString(bytes), 40)),
        _ => "0x" + Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 32))),
    };

    private static object? Cell(ColumnData data, int row)
    {
        if (!data.Column.IsList) return Value(data, row);
        if (data.IsListNull(row)) return null;
        return Enumerable.Range(data.Offsets![row], data.Offsets[row + 1] - data.Offsets[row]).Select(i => Value(data, i)).ToArray();
    }

    private static object? Value(ColumnData data, int index) => data.GetValue(index) switch
    {
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        float f when !float.IsFinite(f) => f.ToString(CultureInfo.InvariantCulture),
        double d when !double.IsFinite(d) => d.ToString(CultureInfo.InvariantCulture),
        var other => other,
    };

    // PlainDictionary -> PLAIN_DICTIONARY, as the specification spells encodings.
    private static string SpecName(PolyGlot.Parquet.Format.Encoding encoding) =>
        System.Text.RegularExpressions.Regex.Replace(encoding.ToString(), "(?<=[a-z])(?=[A-Z])", "_").ToUpperInvariant();

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
