using PolyGlot.Parquet.Encodings;

namespace PolyGlot.Parquet.Reading;

/// <summary>DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (incremental/front coding) decoding.</summary>
internal static class DeltaByteArrays
{
    public static void DecodeLengths(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        var consumed = DeltaBinaryPacked.Decode(data, count, out var lengths);
        if (lengths.Length != count) throw new ParquetFormatException($"DELTA_LENGTH_BYTE_ARRAY holds {lengths.Length} lengths where the page has {count} values");
        var position = consumed;
        var offsets = output.Data.BytesOffsetsArray!;
        for (var i = 0; i < count; i++)
        {
            var length = lengths[i];
            if (length < 0 || length > data.Length - position) throw new ParquetFormatException($"byte array length {length} exceeds the page");
            data.Slice(position, (int)length).CopyTo(output.AppendBytes((int)length));
            position += (int)length;
            offsets[at + i + 1] = output.ByteLength;
        }
    }

    public static void DecodeIncremental(ReadOnlySpan<byte> data, int count, ColumnBuilder output, int at)
    {
        var consumed = DeltaBinaryPacked.Decode(data, count, out var prefixes);
        if (prefixes.Length != count) throw new ParquetFormatException($"DELTA_BYTE_ARRAY holds {prefixes.Length} prefixes where the page has {count} values");
        var rest = data[consumed..];
        var suffixConsumed = DeltaBinaryPacked.Decode(rest, count, out var suffixLengths);
        if (suffixLengths.Length != count) throw new ParquetFormatException($"DELTA_BYTE_ARRAY holds {suffixLengths.Length} suffixes where the page has {count} values");
        var position = suffixConsumed;
        var offsets = output.Data.BytesOffsetsArray!;
        var previousStart = -1;
        var previousLength = 0;
        for (var i = 0; i < count; i++)
        {
            var prefix = prefixes[i];
            var suffix = suffixLengths[i];
            if (prefix < 0 || prefix > previousLength) throw new ParquetFormatException($"DELTA_BYTE_ARRAY prefix {prefix} is longer than the previous value ({previousLength} bytes)");
            if (suffix < 0 || suffix > rest.Length - position) throw new ParquetFormatException($"DELTA_BYTE_ARRAY suffix length {suffix} exceeds the page");
            var length = (int)(prefix + suffix);
            var start = output.ByteLength;
            var target = output.AppendBytes(length);
            if (prefix > 0) output.Bytes.AsSpan(previousStart, (int)prefix).CopyTo(target);
            rest.Slice(position, (int)suffix).CopyTo(target[(int)prefix..]);
            position += (int)suffix;
            offsets[at + i + 1] = output.ByteLength;
            previousStart = start;
            previousLength = length;
        }
    }
}
