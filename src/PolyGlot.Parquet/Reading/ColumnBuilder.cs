using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Reading;

/// <summary>
/// The growing arrays of one column chunk while its pages are decoded: values are decoded densely
/// (non-null values back to back) at a slot and then spread over the page's slots in place.
/// </summary>
internal sealed class ColumnBuilder
{
    private readonly PhysicalType _type;
    private byte[] _bytes = [];
    private int _byteLength;

    /// <summary>Prepares arrays for <paramref name="capacity"/> slots, taking them from <paramref name="reuse"/> when large enough.</summary>
    public ColumnBuilder(ParquetColumn column, int capacity, ColumnData? reuse = null)
    {
        Column = column;
        _type = column.PhysicalType;
        Data = reuse ?? new ColumnData(column);
        Data.ValueNulls = null;
        Data.ListNulls = null;
        Data.Offsets = null;
        switch (_type)
        {
            case PhysicalType.Int32: Data.Int32Array = Reuse(Data.Int32Array, capacity); break;
            case PhysicalType.Int64: Data.Int64Array = Reuse(Data.Int64Array, capacity); break;
            case PhysicalType.Float: Data.FloatArray = Reuse(Data.FloatArray, capacity); break;
            case PhysicalType.Double: Data.DoubleArray = Reuse(Data.DoubleArray, capacity); break;
            case PhysicalType.Boolean: Data.BooleanArray = Reuse(Data.BooleanArray, capacity); break;
            default:
                Data.BytesOffsetsArray = Reuse(Data.BytesOffsetsArray, capacity + 1);
                Data.BytesOffsetsArray[0] = 0;
                _bytes = Data.BytesArray ?? [];
                break;
        }
        Capacity = capacity;
    }

    // Values are written before they are read, so a reused or uninitialized array is safe.
    private static T[] Reuse<T>(T[]? existing, int length) =>
        existing is not null && existing.Length >= length ? existing : GC.AllocateUninitializedArray<T>(length);

    public ParquetColumn Column { get; }

    public ColumnData Data { get; }

    public int Capacity { get; }

    public int FixedLength => Column.TypeLength;

    /// <summary>Reserves room for <paramref name="count"/> more bytes of BYTE_ARRAY data and returns where they go.</summary>
    public Span<byte> AppendBytes(int count)
    {
        var needed = (long)_byteLength + count;
        if (needed > Array.MaxLength) throw new ParquetFormatException($"column chunk holds more than {Array.MaxLength} bytes of values");
        if (needed > _bytes.Length)
        {
            var grown = new byte[(int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(1024, (long)_bytes.Length * 2)))];
            _bytes.AsSpan(0, _byteLength).CopyTo(grown);
            _bytes = grown;
        }
        var span = _bytes.AsSpan(_byteLength, count);
        _byteLength += count;
        return span;
    }

    /// <summary>Bytes appended so far (the end offset of the last value).</summary>
    public int ByteLength => _byteLength;

    public byte[] Bytes => _bytes;

    /// <summary>Spreads <paramref name="dense"/> values decoded at <paramref name="at"/> over the slots whose null flag is false.</summary>
    public void Spread(int at, int dense, ReadOnlySpan<bool> isNull)
    {
        var slots = isNull.Length;
        if (dense == slots) return;
        var nulls = Data.ValueNulls ??= new bool[Capacity];
        isNull.CopyTo(nulls.AsSpan(at, slots));
        switch (_type)
        {
            case PhysicalType.Int32: SpreadFixed(Data.Int32Array!, at, dense, isNull); break;
            case PhysicalType.Int64: SpreadFixed(Data.Int64Array!, at, dense, isNull); break;
            case PhysicalType.Float: SpreadFixed(Data.FloatArray!, at, dense, isNull); break;
            case PhysicalType.Double: SpreadFixed(Data.DoubleArray!, at, dense, isNull); break;
            case PhysicalType.Boolean: SpreadFixed(Data.BooleanArray!, at, dense, isNull); break;
            default: SpreadOffsets(Data.BytesOffsetsArray!, at, dense, isNull); break;
        }
    }

    // Walking backwards keeps every source index at or below its destination, so the move is in place.
    private static void SpreadFixed<T>(T[] values, int at, int dense, ReadOnlySpan<bool> isNull)
    {
        var source = at + dense - 1;
        for (var slot = isNull.Length - 1; slot >= 0; slot--)
            values[at + slot] = isNull[slot] ? default! : values[source--];
    }

    // Offsets hold end positions at index slot + 1; a null slot ends where the previous value ended.
    private static void SpreadOffsets(int[] offsets, int at, int dense, ReadOnlySpan<bool> isNull)
    {
        var source = at + dense;
        for (var slot = isNull.Length - 1; slot >= 0; slot--)
        {
            if (isNull[slot]) offsets[at + slot + 1] = offsets[source];
            else offsets[at + slot + 1] = offsets[source--];
        }
    }

    public ColumnData Finish(int rows, int values)
    {
        Data.RowCount = rows;
        Data.ValueCount = values;
        if (Data.BytesOffsetsArray is not null) Data.BytesArray = _bytes;
        return Data;
    }
}
