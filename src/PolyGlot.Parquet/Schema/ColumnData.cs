using Utf8 = System.Text.Encoding;
using PolyGlot.Parquet.Format;

namespace PolyGlot.Parquet.Schema;

/// <summary>
/// The values of one column for a run of rows, columnar and without per-row objects: what the reader
/// returns for a column of a row group, and what the writer takes.
/// <para>Flat column: value slot <c>i</c> is row <c>i</c> (<see cref="ValueCount"/> == <see cref="RowCount"/>).
/// List column: row <c>r</c> owns slots <c>Offsets[r] .. Offsets[r+1]-1</c>; a null or empty list owns none.</para>
/// <para>Values live in the array of the column's physical type (<see cref="Int32Values"/>, ...);
/// BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY and INT96 values are the bytes <c>ByteData[ByteOffsets[i] .. ByteOffsets[i+1]]</c>.
/// Arrays may be longer than the counts; use the counts (or the <c>*Span</c> properties).
/// A null slot holds a default value and is marked in <see cref="ValueNulls"/>.</para>
/// </summary>
public sealed class ColumnData
{
    internal ColumnData(ParquetColumn column) => Column = column;

    /// <summary>The column these values belong to.</summary>
    public ParquetColumn Column { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; internal set; }

    /// <summary>Number of value slots (including null slots).</summary>
    public int ValueCount { get; internal set; }

    /// <summary>List columns: <see cref="RowCount"/> + 1 offsets into the value slots; null for flat columns.</summary>
    public int[]? Offsets { get; internal set; }

    /// <summary>List columns: true where a row's list is null (not just empty); null when no list is null.</summary>
    public bool[]? ListNulls { get; internal set; }

    /// <summary>True where a value slot is null; null when no value is null.</summary>
    public bool[]? ValueNulls { get; internal set; }

    internal int[]? Int32Array { get; set; }
    internal long[]? Int64Array { get; set; }
    internal float[]? FloatArray { get; set; }
    internal double[]? DoubleArray { get; set; }
    internal bool[]? BooleanArray { get; set; }
    internal byte[]? BytesArray { get; set; }
    internal int[]? BytesOffsetsArray { get; set; }

    /// <summary>INT32 values.</summary>
    public int[] Int32Values => Int32Array ?? throw WrongType(PhysicalType.Int32);

    /// <summary>INT64 values.</summary>
    public long[] Int64Values => Int64Array ?? throw WrongType(PhysicalType.Int64);

    /// <summary>FLOAT values.</summary>
    public float[] FloatValues => FloatArray ?? throw WrongType(PhysicalType.Float);

    /// <summary>DOUBLE values.</summary>
    public double[] DoubleValues => DoubleArray ?? throw WrongType(PhysicalType.Double);

    /// <summary>BOOLEAN values.</summary>
    public bool[] BooleanValues => BooleanArray ?? throw WrongType(PhysicalType.Boolean);

    /// <summary>Concatenated bytes of BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY / INT96 values.</summary>
    public byte[] ByteData => BytesArray ?? throw WrongType(PhysicalType.ByteArray);

    /// <summary><see cref="ValueCount"/> + 1 offsets into <see cref="ByteData"/>.</summary>
    public int[] ByteOffsets => BytesOffsetsArray ?? throw WrongType(PhysicalType.ByteArray);

    /// <summary>The INT32 values, exactly <see cref="ValueCount"/> of them.</summary>
    public ReadOnlySpan<int> Int32Span => Int32Values.AsSpan(0, ValueCount);

    /// <summary>The INT64 values, exactly <see cref="ValueCount"/> of them.</summary>
    public ReadOnlySpan<long> Int64Span => Int64Values.AsSpan(0, ValueCount);

    /// <summary>Whether value slot <paramref name="index"/> is null.</summary>
    public bool IsNull(int index) => ValueNulls is { } nulls && nulls[index];

    /// <summary>List columns: whether row <paramref name="row"/>'s list is null.</summary>
    public bool IsListNull(int row) => ListNulls is { } nulls && nulls[row];

    /// <summary>List columns: the INT32 elements of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> Int32List(int row) => Int32Values.AsSpan(Offsets![row], Offsets[row + 1] - Offsets[row]);

    /// <summary>The bytes of value slot <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetBytes(int index) => ByteData.AsSpan(ByteOffsets[index], ByteOffsets[index + 1] - ByteOffsets[index]);

    /// <summary>The value slot as a UTF-8 string; null for a null slot.</summary>
    public string? GetString(int index) => IsNull(index) ? null : Utf8.UTF8.GetString(GetBytes(index));

    /// <summary>The value slot boxed (for inspection tools, not hot paths): int, long, float, double, bool, string or byte[].</summary>
    public object? GetValue(int index)
    {
        if (IsNull(index)) return null;
        return Column.PhysicalType switch
        {
            PhysicalType.Int32 => Int32Values[index],
            PhysicalType.Int64 => Int64Values[index],
            PhysicalType.Float => FloatValues[index],
            PhysicalType.Double => DoubleValues[index],
            PhysicalType.Boolean => BooleanValues[index],
            _ when Column.IsString => GetString(index),
            _ => GetBytes(index).ToArray(),
        };
    }

    private InvalidOperationException WrongType(PhysicalType asked) => new(
        $"column '{Column.Name}' holds {Column.PhysicalType} values, not {asked}");

    /// <summary>Flat INT32 values; <paramref name="nulls"/> marks null rows (nullable columns only).</summary>
    public static ColumnData FromInt32(ParquetColumn column, int[] values, bool[]? nulls = null) =>
        Flat(column, values.Length, nulls, d => d.Int32Array = values);

    /// <summary>Flat INT64 values.</summary>
    public static ColumnData FromInt64(ParquetColumn column, long[] values, bool[]? nulls = null) =>
        Flat(column, values.Length, nulls, d => d.Int64Array = values);

    /// <summary>Flat FLOAT values.</summary>
    public static ColumnData FromFloat(ParquetColumn column, float[] values, bool[]? nulls = null) =>
        Flat(column, values.Length, nulls, d => d.FloatArray = values);

    /// <summary>Flat DOUBLE values.</summary>
    public static ColumnData FromDouble(ParquetColumn column, double[] values, bool[]? nulls = null) =>
        Flat(column, values.Length, nulls, d => d.DoubleArray = values);

    /// <summary>Flat BOOLEAN values.</summary>
    public static ColumnData FromBoolean(ParquetColumn column, bool[] values, bool[]? nulls = null) =>
        Flat(column, values.Length, nulls, d => d.BooleanArray = values);

    /// <summary>Flat strings (UTF-8) or, for binary columns, UTF-8 bytes; null entries are null rows.</summary>
    public static ColumnData FromStrings(ParquetColumn column, IReadOnlyList<string?> values)
    {
        var data = new ColumnData(column) { RowCount = values.Count };
        SetBytes(data, values.Select(v => v is null ? null : Utf8.UTF8.GetBytes(v)).ToList());
        return data;
    }

    /// <summary>Flat binary values (BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY); null entries are null rows.</summary>
    public static ColumnData FromBinary(ParquetColumn column, IReadOnlyList<byte[]?> values)
    {
        var data = new ColumnData(column) { RowCount = values.Count };
        SetBytes(data, values);
        return data;
    }

    /// <summary>
    /// A list&lt;int32&gt; column straight from a flat buffer: row <c>r</c> is
    /// <c>values[offsets[r] .. offsets[r+1]]</c> (<paramref name="offsets"/> has rows + 1 entries). No copy.
    /// </summary>
    public static ColumnData FromInt32Lists(ParquetColumn column, int[] values, int[] offsets, bool[]? listNulls = null) =>
        List(column, offsets, listNulls, null, d => d.Int32Array = values);

    /// <summary>A list&lt;int64&gt; column from a flat buffer and rows + 1 offsets.</summary>
    public static ColumnData FromInt64Lists(ParquetColumn column, long[] values, int[] offsets, bool[]? listNulls = null) =>
        List(column, offsets, listNulls, null, d => d.Int64Array = values);

    /// <summary>A list column from one array per row (null entries are null lists).</summary>
    public static ColumnData FromLists<T>(ParquetColumn column, IReadOnlyList<T[]?> rows)
    {
        var offsets = new int[rows.Count + 1];
        bool[]? listNulls = null;
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r] is null) (listNulls ??= new bool[rows.Count])[r] = true;
            offsets[r + 1] = checked(offsets[r] + (rows[r]?.Length ?? 0));
        }
        var flat = rows.SelectMany(r => r ?? []).ToArray();
        return flat switch
        {
            int[] ints => List(column, offsets, listNulls, null, d => d.Int32Array = ints),
            long[] longs => List(column, offsets, listNulls, null, d => d.Int64Array = longs),
            float[] floats => List(column, offsets, listNulls, null, d => d.FloatArray = floats),
            double[] doubles => List(column, offsets, listNulls, null, d => d.DoubleArray = doubles),
            bool[] bools => List(column, offsets, listNulls, null, d => d.BooleanArray = bools),
            string?[] strings => ListOfBytes(column, offsets, listNulls, strings.Select(s => s is null ? null : Utf8.UTF8.GetBytes(s)).ToList()),
            byte[]?[] binaries => ListOfBytes(column, offsets, listNulls, binaries),
            _ => throw new ArgumentException($"list element type {typeof(T).Name} is not supported", nameof(rows)),
        };
    }

    /// <summary>A list column whose elements may be null: <paramref name="elementNulls"/> marks null slots.</summary>
    public static ColumnData FromInt32Lists(ParquetColumn column, int[] values, int[] offsets, bool[]? listNulls, bool[]? elementNulls) =>
        List(column, offsets, listNulls, elementNulls, d => d.Int32Array = values);

    private static ColumnData ListOfBytes(ParquetColumn column, int[] offsets, bool[]? listNulls, IReadOnlyList<byte[]?> values)
    {
        var data = List(column, offsets, listNulls, null, _ => { });
        SetBytes(data, values);
        return data;
    }

    private static ColumnData Flat(ParquetColumn column, int count, bool[]? nulls, Action<ColumnData> set)
    {
        if (column.IsList) throw new ArgumentException($"column '{column.Name}' is a list; use a list factory", nameof(column));
        var data = new ColumnData(column) { RowCount = count, ValueCount = count, ValueNulls = nulls };
        set(data);
        return data;
    }

    private static ColumnData List(ParquetColumn column, int[] offsets, bool[]? listNulls, bool[]? elementNulls, Action<ColumnData> set)
    {
        if (!column.IsList) throw new ArgumentException($"column '{column.Name}' is not a list", nameof(column));
        if (offsets.Length == 0 || offsets[0] != 0) throw new ArgumentException($"column '{column.Name}': offsets must start with 0", nameof(offsets));
        var data = new ColumnData(column)
        {
            RowCount = offsets.Length - 1,
            ValueCount = offsets[^1],
            Offsets = offsets,
            ListNulls = listNulls,
            ValueNulls = elementNulls,
        };
        set(data);
        return data;
    }

    private static void SetBytes(ColumnData data, IReadOnlyList<byte[]?> values)
    {
        var offsets = new int[values.Count + 1];
        bool[]? nulls = null;
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is null) (nulls ??= new bool[values.Count])[i] = true;
            offsets[i + 1] = checked(offsets[i] + (values[i]?.Length ?? 0));
        }
        var bytes = new byte[offsets[^1]];
        for (var i = 0; i < values.Count; i++) values[i]?.CopyTo(bytes, offsets[i]);
        data.BytesArray = bytes;
        data.BytesOffsetsArray = offsets;
        data.ValueCount = values.Count;
        data.ValueNulls = nulls;
    }
}
