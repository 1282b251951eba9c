using System.Buffers;

namespace PolyGlot.Parquet.Encodings;

/// <summary>Decodes the RLE/bit-packed hybrid encoding (levels, dictionary indices, RLE booleans).</summary>
internal static class RleHybridDecoder
{
    /// <summary>Decodes exactly <paramref name="output"/>.Length values; throws when the data ends first.</summary>
    public static void Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth is < 0 or > 32) throw new ParquetFormatException($"RLE bit width {bitWidth} is out of range 0..32");
        var position = 0;
        var produced = 0;
        var valueBytes = (bitWidth + 7) / 8;
        while (produced < output.Length)
        {
            var header = ReadHeader(data, ref position);
            if ((header & 1) == 0)
            {
                var run = header >> 1;
                if (run == 0) throw new ParquetFormatException("RLE run of length zero");
                if (position + valueBytes > data.Length) throw Truncated(output.Length, produced);
                var value = 0;
                for (var b = 0; b < valueBytes; b++) value |= data[position + b] << (8 * b);
                position += valueBytes;
                var count = (int)Math.Min(run, (ulong)(output.Length - produced));
                output.Slice(produced, count).Fill(value);
                produced += count;
            }
            else
            {
                var groups = header >> 1;
                if (groups == 0) throw new ParquetFormatException("bit-packed run of zero groups");
                var available = data.Length - position;
                var bytes = (int)Math.Min(groups * (ulong)bitWidth, (ulong)available);
                var values = (int)Math.Min(groups * 8, (ulong)(output.Length - produced));
                if (bitWidth > 0 && (long)values * bitWidth > (long)bytes * 8) throw Truncated(output.Length, produced);
                BitUnpacker.Unpack(data.Slice(position, bytes), bitWidth, output.Slice(produced, values));
                position += bytes;
                produced += values;
            }
        }
    }

    /// <summary>Decodes levels (bit width at most 8) into bytes.</summary>
    public static void DecodeLevels(ReadOnlySpan<byte> data, int bitWidth, Span<byte> output)
    {
        var position = 0;
        var produced = 0;
        var rented = ArrayPool<int>.Shared.Rent(512);
        try
        {
            while (produced < output.Length)
            {
                var header = ReadHeader(data, ref position);
                if ((header & 1) == 0)
                {
                    var run = header >> 1;
                    if (run == 0) throw new ParquetFormatException("RLE run of length zero");
                    var valueBytes = (bitWidth + 7) / 8;
                    if (position + valueBytes > data.Length) throw Truncated(output.Length, produced);
                    var value = valueBytes == 0 ? 0 : data[position];
                    position += valueBytes;
                    var count = (int)Math.Min(run, (ulong)(output.Length - produced));
                    output.Slice(produced, count).Fill((byte)value);
                    produced += count;
                    continue;
                }
                var groups = header >> 1;
                if (groups == 0) throw new ParquetFormatException("bit-packed run of zero groups");
                var bytes = (int)Math.Min(groups * (ulong)bitWidth, (ulong)(data.Length - position));
                var values = (int)Math.Min(groups * 8, (ulong)(output.Length - produced));
                if (bitWidth > 0 && (long)values * bitWidth > (long)bytes * 8) throw Truncated(output.Length, produced);
                var consumed = 0;
                while (consumed < values)
                {
                    // Chunks are multiples of 8 values, so each starts on a byte boundary.
                    var chunk = Math.Min(512, values - consumed);
                    var startByte = consumed * bitWidth / 8;
                    BitUnpacker.Unpack(data.Slice(position + startByte, bytes - startByte), bitWidth, rented.AsSpan(0, chunk));
                    for (var i = 0; i < chunk; i++) output[produced + consumed + i] = (byte)rented[i];
                    consumed += chunk;
                }
                position += bytes;
                produced += values;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    private static ulong ReadHeader(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw new ParquetFormatException("RLE/bit-packed data ends inside a run header");
            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ParquetFormatException("RLE run header is longer than 10 bytes");
    }

    private static ParquetFormatException Truncated(int expected, int produced) =>
        new($"RLE/bit-packed data ends after {produced} of {expected} values");
}
