using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PolyGlot.Parquet.Encodings;
using PolyGlot.Parquet.Format;

namespace PolyGlot.Parquet.Reading;

/// <summary>Decodes <c>count</c> non-null values of any supported encoding densely into a <see cref="ColumnBuilder"/> at a slot.</summary>
internal static class ValueDecoder
{
    public static void Decode(Encoding encoding, ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at, ColumnBuilder? dictionary)
    {
        switch (encoding)
        {
            case Encoding.Plain: DecodePlain(data, count, output, at); break;
            case Encoding.PlainDictionary or Encoding.RleDictionary:
                if (count == 0) break;
                DecodeDictionaryIndices(data, count, output, at, dictionary ?? throw new ParquetFormatException("dictionary-encoded page without a dictionary page"));
                break;
            case Encoding.Rle when output.Column.PhysicalType == PhysicalType.Boolean: DecodeRleBooleans(data, count, output, at); break;
            case Encoding.DeltaBinaryPacked: DecodeDeltaIntegers(data, count, output, at); break;
            case Encoding.DeltaLengthByteArray: DeltaByteArrays.DecodeLengths(data, count, output, at); break;
            case Encoding.DeltaByteArray: DeltaByteArrays.DecodeIncremental(data, count, output, at); break;
            case Encoding.ByteStreamSplit: DecodeByteStreamSplit(data, count, output, at); break;
            default:
                throw new ParquetFormatException(Enum.IsDefined(encoding)
                    ? $"encoding {encoding} is not valid for {output.Column.PhysicalType} values"
                    : $"unknown encoding {(int)encoding}");
        }
    }

    public static void DecodePlain(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        var d = output.Data;
        switch (output.Column.PhysicalType)
        {
            case PhysicalType.Int32: CopyFixed(data, d.Int32Array!.AsSpan(at, count)); break;
            case PhysicalType.Int64: CopyFixed(data, d.Int64Array!.AsSpan(at, count)); break;
            case PhysicalType.Float: CopyFixed(data, d.FloatArray!.AsSpan(at, count)); break;
            case PhysicalType.Double: CopyFixed(data, d.DoubleArray!.AsSpan(at, count)); break;
            case PhysicalType.Boolean:
                if ((count + 7) / 8 > data.Length) throw Short("PLAIN booleans", count);
                for (var i = 0; i < count; i++) d.BooleanArray![at + i] = (data[i >> 3] >> (i & 7) & 1) != 0;
                break;
            case PhysicalType.ByteArray: DecodePlainByteArrays(data, count, output, at); break;
            default: DecodePlainFixedBytes(data, count, output, at); break;
        }
    }

    private static void CopyFixed<T>(ReadOnlySpan<byte> data, Span<T> destination) where T : unmanaged
    {
        var bytes = destination.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes > data.Length) throw Short($"PLAIN {typeof(T).Name} values", destination.Length);
        MemoryMarshal.Cast<byte, T>(data[..bytes]).CopyTo(destination);
    }

    private static void DecodePlainByteArrays(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        var offsets = output.Data.BytesOffsetsArray!;
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            if (position + 4 > data.Length) throw Short("PLAIN byte arrays", count);
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[position..]);
            position += 4;
            if (length < 0 || length > data.Length - position) throw new ParquetFormatException($"byte array length {length} exceeds the page");
            data.Slice(position, length).CopyTo(output.AppendBytes(length));
            position += length;
            offsets[at + i + 1] = output.ByteLength;
        }
    }

    private static void DecodePlainFixedBytes(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        var width = output.FixedLength;
        if ((long)width * count > data.Length) throw Short("PLAIN fixed-length byte arrays", count);
        data[..(width * count)].CopyTo(output.AppendBytes(width * count));
        var offsets = output.Data.BytesOffsetsArray!;
        for (var i = 0; i < count; i++) offsets[at + i + 1] = offsets[at + i] + width;
    }

    private static void DecodeDictionaryIndices(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at, ColumnBuilder dictionary)
    {
        if (count == 0) return;
        if (data.IsEmpty) throw new ParquetFormatException("dictionary-encoded page has no bit width byte");
        var indices = ArrayPool<int>.Shared.Rent(count);
        try
        {
            RleHybridDecoder.Decode(data[1..], data[0], indices.AsSpan(0, count));
            Gather(indices.AsSpan(0, count), dictionary, output, at);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    private static void Gather(ReadOnlySpan<int> indices, ColumnBuilder dictionary, ColumnBuilder output, int at)
    {
        var size = dictionary.Data.ValueCount;
        foreach (var index in indices)
            if ((uint)index >= (uint)size) throw new ParquetFormatException($"dictionary index {index} is outside the dictionary of {size} values");
        var d = output.Data;
        var source = dictionary.Data;
        switch (output.Column.PhysicalType)
        {
            case PhysicalType.Int32: GatherFixed(indices, source.Int32Array!, d.Int32Array!.AsSpan(at)); break;
            case PhysicalType.Int64: GatherFixed(indices, source.Int64Array!, d.Int64Array!.AsSpan(at)); break;
            case PhysicalType.Float: GatherFixed(indices, source.FloatArray!, d.FloatArray!.AsSpan(at)); break;
            case PhysicalType.Double: GatherFixed(indices, source.DoubleArray!, d.DoubleArray!.AsSpan(at)); break;
            case PhysicalType.Boolean: GatherFixed(indices, source.BooleanArray!, d.BooleanArray!.AsSpan(at)); break;
            default:
                var dictOffsets = source.BytesOffsetsArray!;
                var offsets = d.BytesOffsetsArray!;
                for (var i = 0; i < indices.Length; i++)
                {
                    var start = dictOffsets[indices[i]];
                    var length = dictOffsets[indices[i] + 1] - start;
                    dictionary.Bytes.AsSpan(start, length).CopyTo(output.AppendBytes(length));
                    offsets[at + i + 1] = output.ByteLength;
                }
                break;
        }
    }

    private static void GatherFixed<T>(ReadOnlySpan<int> indices, T[] dictionary, Span<T> destination)
    {
        for (var i = 0; i < indices.Length; i++) destination[i] = dictionary[indices[i]];
    }

    private static void DecodeRleBooleans(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        if (data.Length < 4) throw Short("RLE booleans", count);
        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4) throw new ParquetFormatException($"RLE boolean length {length} exceeds the page");
        var values = ArrayPool<int>.Shared.Rent(count);
        try
        {
            RleHybridDecoder.Decode(data.Slice(4, length), 1, values.AsSpan(0, count));
            for (var i = 0; i < count; i++) output.Data.BooleanArray![at + i] = values[i] != 0;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(values);
        }
    }

    private static void DecodeDeltaIntegers(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        DeltaBinaryPacked.Decode(data, count, out var values);
        if (values.Length != count) throw new ParquetFormatException($"DELTA_BINARY_PACKED holds {values.Length} values where the page has {count}");
        switch (output.Column.PhysicalType)
        {
            case PhysicalType.Int32:
                var ints = output.Data.Int32Array!;
                for (var i = 0; i < count; i++) ints[at + i] = unchecked((int)values[i]);
                break;
            case PhysicalType.Int64: values.CopyTo(output.Data.Int64Array!, at); break;
            default: throw new ParquetFormatException($"DELTA_BINARY_PACKED is not valid for {output.Column.PhysicalType}");
        }
    }

    private static void DecodeByteStreamSplit(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        var d = output.Data;
        var width = output.Column.PhysicalType switch
        {
            PhysicalType.Int32 or PhysicalType.Float => 4,
            PhysicalType.Int64 or PhysicalType.Double => 8,
            PhysicalType.FixedLenByteArray => output.FixedLength,
            _ => throw new ParquetFormatException($"BYTE_STREAM_SPLIT is not valid for {output.Column.PhysicalType}"),
        };
        if ((long)width * count > data.Length) throw Short("BYTE_STREAM_SPLIT values", count);
        var joined = new byte[width * count];
        for (var stream = 0; stream < width; stream++)
        {
            var source = data.Slice(stream * count, count);
            for (var i = 0; i < count; i++) joined[i * width + stream] = source[i];
        }
        switch (output.Column.PhysicalType)
        {
            case PhysicalType.Int32: MemoryMarshal.Cast<byte, int>(joined).CopyTo(d.Int32Array.AsSpan(at)); break;
            case PhysicalType.Float: MemoryMarshal.Cast<byte, float>(joined).CopyTo(d.FloatArray.AsSpan(at)); break;
            case PhysicalType.Int64: MemoryMarshal.Cast<byte, long>(joined).CopyTo(d.Int64Array.AsSpan(at)); break;
            case PhysicalType.Double: MemoryMarshal.Cast<byte, double>(joined).CopyTo(d.DoubleArray.AsSpan(at)); break;
            default: DecodePlainFixedBytes(joined, count, output, at); break;
        }
    }

    internal static ParquetFormatException Short(string what, int count) =>
        new($"page ends before its {count} {what}");
}
