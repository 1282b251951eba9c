using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PolyGlot.Parquet.Encodings;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Writing;

/// <summary>Encodes the non-null values of a slot range of a <see cref="ColumnData"/>.</summary>
internal static class ValueEncoder
{
    public static void Encode(ColumnData data, int start, int end, Encoding encoding, ArrayBufferWriter<byte> output)
    {
        switch (encoding)
        {
            case Encoding.Plain: EncodePlain(data, start, end, output); break;
            case Encoding.DeltaBinaryPacked: DeltaBinaryPacked.Encode(NonNullLongs(data, start, end), data.Column.PhysicalType == PhysicalType.Int32, output); break;
            case Encoding.DeltaLengthByteArray: EncodeDeltaLength(data, start, end, output); break;
            case Encoding.DeltaByteArray: EncodeIncremental(data, start, end, output); break;
            case Encoding.ByteStreamSplit: EncodeByteStreamSplit(data, start, end, output); break;
            default: throw new InvalidOperationException($"the writer does not produce {encoding} values");
        }
    }

    public static void EncodePlain(ColumnData data, int start, int end, ArrayBufferWriter<byte> output)
    {
        var nulls = data.ValueNulls;
        switch (data.Column.PhysicalType)
        {
            case PhysicalType.Int32: WriteFixed(data.Int32Values, nulls, start, end, output); break;
            case PhysicalType.Int64: WriteFixed(data.Int64Values, nulls, start, end, output); break;
            case PhysicalType.Float: WriteFixed(data.FloatValues, nulls, start, end, output); break;
            case PhysicalType.Double: WriteFixed(data.DoubleValues, nulls, start, end, output); break;
            case PhysicalType.Boolean: WriteBooleans(data, start, end, output); break;
            case PhysicalType.ByteArray:
                for (var i = start; i < end; i++)
                {
                    if (nulls is not null && nulls[i]) continue;
                    var bytes = data.GetBytes(i);
                    var span = output.GetSpan(4 + bytes.Length);
                    BinaryPrimitives.WriteInt32LittleEndian(span, bytes.Length);
                    bytes.CopyTo(span[4..]);
                    output.Advance(4 + bytes.Length);
                }
                break;
            default:
                for (var i = start; i < end; i++)
                    if (nulls is null || !nulls[i]) output.Write(data.GetBytes(i));
                break;
        }
    }

    private static void WriteFixed<T>(T[] values, bool[]? nulls, int start, int end, ArrayBufferWriter<byte> output) where T : unmanaged
    {
        var span = values.AsSpan(start, end - start);
        if (nulls is null || nulls.AsSpan(start, end - start).IndexOf(true) < 0)
        {
            output.Write(MemoryMarshal.AsBytes(span));
            return;
        }
        for (var i = start; i < end; i++)
            if (!nulls[i]) output.Write(MemoryMarshal.AsBytes(values.AsSpan(i, 1)));
    }

    private static void WriteBooleans(ColumnData data, int start, int end, ArrayBufferWriter<byte> output)
    {
        var packed = new List<byte>();
        int bit = 0, current = 0;
        for (var i = start; i < end; i++)
        {
            if (data.IsNull(i)) continue;
            if (data.BooleanValues[i]) current |= 1 << bit;
            if (++bit == 8)
            {
                packed.Add((byte)current);
                bit = current = 0;
            }
        }
        if (bit > 0) packed.Add((byte)current);
        output.Write(CollectionsMarshal.AsSpan(packed));
    }

    private static long[] NonNullLongs(ColumnData data, int start, int end)
    {
        var result = new List<long>(end - start);
        for (var i = start; i < end; i++)
        {
            if (data.IsNull(i)) continue;
            result.Add(data.Column.PhysicalType == PhysicalType.Int32 ? data.Int32Values[i] : data.Int64Values[i]);
        }
        return [.. result];
    }

    private static void EncodeDeltaLength(ColumnData data, int start, int end, ArrayBufferWriter<byte> output)
    {
        var lengths = new List<long>(end - start);
        for (var i = start; i < end; i++)
            if (!data.IsNull(i)) lengths.Add(data.ByteOffsets[i + 1] - data.ByteOffsets[i]);
        DeltaBinaryPacked.Encode(CollectionsMarshal.AsSpan(lengths), true, output);
        for (var i = start; i < end; i++)
            if (!data.IsNull(i)) output.Write(data.GetBytes(i));
    }

    // DELTA_BYTE_ARRAY: the length of the prefix shared with the previous value, then the suffixes
    // as DELTA_LENGTH_BYTE_ARRAY; sorted or repetitive strings shrink to their differences.
    private static void EncodeIncremental(ColumnData data, int start, int end, ArrayBufferWriter<byte> output)
    {
        var prefixes = new List<long>(end - start);
        var suffixLengths = new List<long>(end - start);
        var previous = ReadOnlySpan<byte>.Empty;
        for (var i = start; i < end; i++)
        {
            if (data.IsNull(i)) continue;
            var value = data.GetBytes(i);
            var prefix = value.CommonPrefixLength(previous);
            prefixes.Add(prefix);
            suffixLengths.Add(value.Length - prefix);
            previous = value;
        }
        DeltaBinaryPacked.Encode(CollectionsMarshal.AsSpan(prefixes), true, output);
        DeltaBinaryPacked.Encode(CollectionsMarshal.AsSpan(suffixLengths), true, output);
        var k = 0;
        for (var i = start; i < end; i++)
            if (!data.IsNull(i)) output.Write(data.GetBytes(i)[(int)prefixes[k++]..]);
    }

    private static void EncodeByteStreamSplit(ColumnData data, int start, int end, ArrayBufferWriter<byte> output)
    {
        var plain = new ArrayBufferWriter<byte>();
        EncodePlain(data, start, end, plain);
        var width = data.Column.PhysicalType == PhysicalType.Float ? 4 : 8;
        var bytes = plain.WrittenSpan;
        var count = bytes.Length / width;
        var span = output.GetSpan(bytes.Length)[..bytes.Length];
        for (var i = 0; i < count; i++)
            for (var b = 0; b < width; b++)
                span[b * count + i] = bytes[i * width + b];
        output.Advance(bytes.Length);
    }
}
