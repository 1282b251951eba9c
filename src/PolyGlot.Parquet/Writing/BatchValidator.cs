using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Writing;

/// <summary>Checks that a batch matches the writer's schema before anything of it is buffered.</summary>
internal static class BatchValidator
{
    public static void Validate(ParquetSchema schema, IReadOnlyList<ColumnData> columns)
    {
        if (columns.Count != schema.Columns.Count)
            throw new ArgumentException($"a batch needs {schema.Columns.Count} columns ({string.Join(", ", schema.Columns.Select(c => c.Name))}), got {columns.Count}", nameof(columns));
        var rows = columns[0].RowCount;
        for (var c = 0; c < columns.Count; c++)
        {
            var expected = schema.Columns[c];
            var data = columns[c];
            var name = expected.Name;
            if (data.Column.Name != name || data.Column.PhysicalType != expected.PhysicalType || data.Column.IsList != expected.IsList)
                throw new ArgumentException($"batch column {c} is '{data.Column}', where the schema has '{expected}'", nameof(columns));
            if (data.RowCount != rows)
                throw new ArgumentException($"column '{name}' has {data.RowCount} rows where column '{columns[0].Column.Name}' has {rows}", nameof(columns));
            CheckArrays(data, name);
            CheckNulls(data, expected, name);
        }
    }

    private static void CheckArrays(ColumnData data, string name)
    {
        if (data.Offsets is { } offsets)
        {
            if (offsets.Length < data.RowCount + 1) throw new ArgumentException($"column '{name}': {offsets.Length} offsets for {data.RowCount} rows (need rows + 1)");
            for (var r = 0; r < data.RowCount; r++)
                if (offsets[r + 1] < offsets[r]) throw new ArgumentException($"column '{name}': offsets decrease at row {r}");
        }
        var length = data.Column.PhysicalType switch
        {
            PhysicalType.Int32 => data.Int32Values.Length,
            PhysicalType.Int64 => data.Int64Values.Length,
            PhysicalType.Float => data.FloatValues.Length,
            PhysicalType.Double => data.DoubleValues.Length,
            PhysicalType.Boolean => data.BooleanValues.Length,
            _ => data.ByteOffsets.Length - 1,
        };
        if (length < data.ValueCount) throw new ArgumentException($"column '{name}': {length} values where offsets need {data.ValueCount}");
        if (data.Column.PhysicalType == PhysicalType.FixedLenByteArray)
            for (var i = 0; i < data.ValueCount; i++)
                if (!data.IsNull(i) && data.GetBytes(i).Length != data.Column.TypeLength)
                    throw new ArgumentException($"column '{name}': value {i} has {data.GetBytes(i).Length} bytes where the column holds {data.Column.TypeLength}");
    }

    private static void CheckNulls(ColumnData data, ParquetColumn column, string name)
    {
        var nullsAllowed = column.IsList ? column.ElementIsNullable : column.IsNullable;
        if (!nullsAllowed && data.ValueNulls is { } valueNulls)
        {
            var row = valueNulls.AsSpan(0, data.ValueCount).IndexOf(true);
            if (row >= 0) throw new ArgumentException($"column '{name}' is not nullable but value {row} is null");
        }
        if (column.IsList && !column.IsNullable && data.ListNulls is { } listNulls)
        {
            var row = listNulls.AsSpan(0, data.RowCount).IndexOf(true);
            if (row >= 0) throw new ArgumentException($"list column '{name}' is not nullable but row {row} is null");
        }
    }

    /// <summary>The writer lays lists out in the standard 3-level form; columns from other layouts are rebuilt so.</summary>
    public static ParquetSchema Normalize(ParquetSchema schema) => new(schema.Columns.Select(Normalize).ToArray());

    private static ParquetColumn Normalize(ParquetColumn column)
    {
        if (column.PhysicalType == PhysicalType.Int96)
            throw new ArgumentException($"column '{column.Name}': INT96 is deprecated and not written; use INT64 timestamps");
        if (!column.IsList) return column.PathParts.Count == 1 ? column : ParquetColumnCopy(column);
        if (column.IsLegacyList) return ParquetColumn.LegacyList(column.Name, column.PhysicalType, column.IsNullable, column.IsString);
        return ParquetColumn.List(column.Name, column.PhysicalType, column.IsNullable, column.ElementIsNullable, column.IsString);
    }

    private static ParquetColumn ParquetColumnCopy(ParquetColumn column) =>
        throw new ArgumentException($"column '{column.Path}' is nested in a group; the writer writes top-level columns and lists only");
}
