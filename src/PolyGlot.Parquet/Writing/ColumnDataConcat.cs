using System.Buffers;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Writing;

/// <summary>
/// Joins the batches written for one column of a row group into one <see cref="ColumnData"/>. The joined
/// arrays come from the array pools and go back with <see cref="Release"/> once the chunk is written, so a
/// writer producing shard after shard does not allocate (and zero) a row group's worth of arrays each time.
/// </summary>
internal static class ColumnDataConcat
{
    public static ColumnData Join(ParquetColumn column, IReadOnlyList<ColumnData> batches)
    {
        if (batches.Count == 1) return batches[0];
        var rows = batches.Sum(b => b.RowCount);
        var slots = batches.Sum(b => (long)b.ValueCount);
        if (slots > Array.MaxLength) throw new InvalidOperationException($"column '{column.Name}': a row group cannot hold {slots} values; lower RowGroupTargetBytes");
        var result = new ColumnData(column) { RowCount = rows, ValueCount = (int)slots };
        if (batches.Any(b => b.ValueNulls is not null)) result.ValueNulls = RentCleared<bool>((int)slots);
        if (column.IsList)
        {
            result.Offsets = Rent<int>(rows + 1);
            result.Offsets[0] = 0;
            if (batches.Any(b => b.ListNulls is not null)) result.ListNulls = RentCleared<bool>(rows);
        }
        int row = 0, slot = 0;
        var byteBatches = column.PhysicalType is PhysicalType.ByteArray or PhysicalType.FixedLenByteArray or PhysicalType.Int96;
        long totalBytes = byteBatches ? batches.Sum(b => (long)b.ByteOffsets[b.ValueCount] - b.ByteOffsets[0]) : 0;
        if (totalBytes > Array.MaxLength) throw new InvalidOperationException($"column '{column.Name}': a row group cannot hold {totalBytes} bytes; lower RowGroupTargetBytes");
        if (byteBatches)
        {
            result.BytesArray = Rent<byte>((int)totalBytes);
            result.BytesOffsetsArray = Rent<int>((int)slots + 1);
            result.BytesOffsetsArray[0] = 0;
        }
        AllocateValues(result, column.PhysicalType, (int)slots);
        foreach (var batch in batches)
        {
            CopyBatch(batch, result, row, slot, byteBatches);
            row += batch.RowCount;
            slot += batch.ValueCount;
        }
        return result;
    }

    private static void AllocateValues(ColumnData result, PhysicalType type, int slots)
    {
        switch (type)
        {
            case PhysicalType.Int32: result.Int32Array = Rent<int>(slots); break;
            case PhysicalType.Int64: result.Int64Array = Rent<long>(slots); break;
            case PhysicalType.Float: result.FloatArray = Rent<float>(slots); break;
            case PhysicalType.Double: result.DoubleArray = Rent<double>(slots); break;
            case PhysicalType.Boolean: result.BooleanArray = Rent<bool>(slots); break;
        }
    }

    /// <summary>Returns the arrays of a <see cref="Join"/> result of several batches to the pools (a single batch is the caller's own).</summary>
    public static void Release(ColumnData joined, int batchCount)
    {
        if (batchCount == 1) return;
        Return(joined.ValueNulls);
        Return(joined.ListNulls);
        Return(joined.Offsets);
        Return(joined.Int32Array);
        Return(joined.Int64Array);
        Return(joined.FloatArray);
        Return(joined.DoubleArray);
        Return(joined.BooleanArray);
        Return(joined.BytesArray);
        Return(joined.BytesOffsetsArray);
    }

    // Every slot below the joined counts is written by CopyBatch except null flags, which are cleared.
    private static T[] Rent<T>(int length) => length == 0 ? [] : ArrayPool<T>.Shared.Rent(length);

    private static T[] RentCleared<T>(int length)
    {
        var array = Rent<T>(length);
        Array.Clear(array, 0, length);
        return array;
    }

    private static void Return<T>(T[]? array)
    {
        if (array is { Length: > 0 }) ArrayPool<T>.Shared.Return(array);
    }

    private static void CopyBatch(ColumnData batch, ColumnData result, int row, int slot, bool bytes)
    {
        var n = batch.ValueCount;
        batch.ValueNulls?.AsSpan(0, n).CopyTo(result.ValueNulls.AsSpan(slot));
        if (result.Offsets is { } offsets)
        {
            var source = batch.Offsets!;
            for (var r = 0; r < batch.RowCount; r++) offsets[row + r + 1] = slot + source[r + 1] - source[0];
            batch.ListNulls?.AsSpan(0, batch.RowCount).CopyTo(result.ListNulls.AsSpan(row));
        }
        if (bytes)
        {
            var first = batch.ByteOffsets[0];
            var length = batch.ByteOffsets[n] - first;
            var at = result.BytesOffsetsArray![slot];
            batch.ByteData.AsSpan(first, length).CopyTo(result.BytesArray.AsSpan(at));
            for (var i = 0; i < n; i++) result.BytesOffsetsArray[slot + i + 1] = at + batch.ByteOffsets[i + 1] - first;
            return;
        }
        var start = batch.Offsets?[0] ?? 0;
        switch (batch.Column.PhysicalType)
        {
            case PhysicalType.Int32: batch.Int32Values.AsSpan(start, n).CopyTo(result.Int32Array.AsSpan(slot)); break;
            case PhysicalType.Int64: batch.Int64Values.AsSpan(start, n).CopyTo(result.Int64Array.AsSpan(slot)); break;
            case PhysicalType.Float: batch.FloatValues.AsSpan(start, n).CopyTo(result.FloatArray.AsSpan(slot)); break;
            case PhysicalType.Double: batch.DoubleValues.AsSpan(start, n).CopyTo(result.DoubleArray.AsSpan(slot)); break;
            case PhysicalType.Boolean: batch.BooleanValues.AsSpan(start, n).CopyTo(result.BooleanArray.AsSpan(slot)); break;
        }
    }
}
