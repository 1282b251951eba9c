using System.Numerics;
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
            // Token ids are the bulk of what is written: without nulls their bounds are a vector scan.
            PhysicalType.Int32 when data.ValueNulls is null && data.ValueCount > 0 => Encode(MinMax(data.Int32Array.AsSpan(0, data.ValueCount)), BitConverter.GetBytes),
            PhysicalType.Int64 when data.ValueNulls is null && data.ValueCount > 0 => Encode(MinMax(data.Int64Array.AsSpan(0, data.ValueCount)), BitConverter.GetBytes),
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

    private static (byte[]?, byte[]?) Encode<T>((T Min, T Max) bounds, Func<T, byte[]> encode) => (encode(bounds.Min), encode(bounds.Max));

    private static (T Min, T Max) MinMax<T>(ReadOnlySpan<T> values) where T : unmanaged, INumber<T>
    {
        T min = values[0], max = values[0];
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            Vector<T> lows = new(values), highs = lows;
            for (i = Vector<T>.Count; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = new Vector<T>(values[i..]);
                lows = Vector.Min(lows, v);
                highs = Vector.Max(highs, v);
            }
            for (var k = 0; k < Vector<T>.Count; k++)
            {
                min = T.Min(min, lows[k]);
                max = T.Max(max, highs[k]);
            }
        }
        for (; i < values.Length; i++)
        {
            min = T.Min(min, values[i]);
            max = T.Max(max, values[i]);
        }
        return (min, max);
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
