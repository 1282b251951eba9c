using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Writing;

/// <summary>
/// Chunk statistics: null count and min/max in the column's type order (signed integers, IEEE floats
/// without NaN, unsigned lexicographic bytes), PLAIN-encoded as min_value/max_value.
/// </summary>
internal static class StatisticsBuilder
{
    // Long strings would bloat the footer; bounds longer than this are left out (readers then cannot prune).
    private const int MaxBinaryBound = 256;

    public static Statistics Build(ColumnData data)
    {
        var stats = new Statistics { NullCount = CountNulls(data) };
        var (min, max) = data.Column.PhysicalType switch
        {
            PhysicalType.Int32 => Bounds(data, data.Int32Array, (a, b) => a.CompareTo(b), BitConverter.GetBytes),
            PhysicalType.Int64 => Bounds(data, data.Int64Array, (a, b) => a.CompareTo(b), BitConverter.GetBytes),
            PhysicalType.Float => Bounds(data, data.FloatArray, (a, b) => a.CompareTo(b), BitConverter.GetBytes, float.IsNaN),
            PhysicalType.Double => Bounds(data, data.DoubleArray, (a, b) => a.CompareTo(b), BitConverter.GetBytes, double.IsNaN),
            PhysicalType.Boolean => Bounds(data, data.BooleanArray, (a, b) => a.CompareTo(b), v => [(byte)(v ? 1 : 0)]),
            _ => BinaryBounds(data),
        };
        stats.MinValue = min;
        stats.MaxValue = max;
        return stats;
    }

    private static long CountNulls(ColumnData data)
    {
        long nulls = 0;
        if (data.ValueNulls is { } valueNulls) nulls += valueNulls.AsSpan(0, data.ValueCount).Count(true);
        if (data.ListNulls is { } listNulls) nulls += listNulls.AsSpan(0, data.RowCount).Count(true);
        return nulls;
    }

    private static (byte[]?, byte[]?) Bounds<T>(ColumnData data, T[]? values, Comparison<T> compare, Func<T, byte[]> encode, Func<T, bool>? skip = null)
    {
        if (values is null) return (null, null);
        var found = false;
        T min = default!, max = default!;
        for (var i = 0; i < data.ValueCount; i++)
        {
            if (data.IsNull(i)) continue;
            var v = values[i];
            if (skip is not null && skip(v)) continue;
            if (!found)
            {
                min = max = v;
                found = true;
                continue;
            }
            if (compare(v, min) < 0) min = v;
            if (compare(v, max) > 0) max = v;
        }
        return found ? (encode(min), encode(max)) : (null, null);
    }

    private static (byte[]?, byte[]?) BinaryBounds(ColumnData data)
    {
        int min = -1, max = -1;
        for (var i = 0; i < data.ValueCount; i++)
        {
            if (data.IsNull(i)) continue;
            if (min < 0 || data.GetBytes(i).SequenceCompareTo(data.GetBytes(min)) < 0) min = i;
            if (max < 0 || data.GetBytes(i).SequenceCompareTo(data.GetBytes(max)) > 0) max = i;
        }
        if (min < 0) return (null, null);
        var minBytes = data.GetBytes(min);
        var maxBytes = data.GetBytes(max);
        return minBytes.Length > MaxBinaryBound || maxBytes.Length > MaxBinaryBound ? (null, null) : (minBytes.ToArray(), maxBytes.ToArray());
    }
}
