using System.Buffers;

namespace PolyGlot.Parquet.Encodings;

/// <summary>
/// DELTA_BINARY_PACKED: a header (block size, miniblocks per block, value count, first value), then per
/// block a zigzag minimum delta, one bit width per miniblock and the bit-packed (delta - min) values.
/// </summary>
internal static class DeltaBinaryPacked
{
    private const int BlockSize = 128;
    private const int MiniblocksPerBlock = 4;
    private const int ValuesPerMiniblock = BlockSize / MiniblocksPerBlock;

    /// <summary>Reads the value count from the header without decoding.</summary>
    public static long PeekCount(ReadOnlySpan<byte> data)
    {
        var position = 0;
        ReadVarint(data, ref position);
        ReadVarint(data, ref position);
        return (long)ReadVarint(data, ref position);
    }

    /// <summary>Decodes all values (at most <paramref name="maxCount"/>) and returns the bytes consumed.</summary>
    public static int Decode(ReadOnlySpan<byte> data, int maxCount, out long[] values)
    {
        var position = 0;
        var blockSize = ReadVarint(data, ref position);
        var miniblocks = ReadVarint(data, ref position);
        var total = ReadVarint(data, ref position);
        if (blockSize == 0 || blockSize % 128 != 0 || miniblocks == 0 || blockSize % miniblocks != 0 || (blockSize / miniblocks) % 32 != 0 || blockSize > 1 << 20)
            throw new ParquetFormatException($"DELTA_BINARY_PACKED header is invalid (block size {blockSize}, {miniblocks} miniblocks)");
        if (total > (ulong)maxCount)
            throw new ParquetFormatException($"DELTA_BINARY_PACKED holds {total} values where at most {maxCount} fit the page");
        var count = (int)total;
        var perMiniblock = (int)(blockSize / miniblocks);
        values = new long[count];
        var last = ZigZag(ReadVarint(data, ref position));
        if (count == 0) return position;
        values[0] = last;
        var index = 1;
        var scratch = ArrayPool<long>.Shared.Rent(perMiniblock);
        try
        {
            while (index < count)
            {
                var minDelta = ZigZag(ReadVarint(data, ref position));
                if (position + (int)miniblocks > data.Length) throw Truncated();
                var widths = data.Slice(position, (int)miniblocks);
                position += (int)miniblocks;
                for (var m = 0; m < (int)miniblocks && index < count; m++)
                {
                    int width = widths[m];
                    if (width > 64) throw new ParquetFormatException($"DELTA_BINARY_PACKED miniblock bit width {width} exceeds 64");
                    var bytes = perMiniblock * width / 8;
                    if (position + bytes > data.Length) throw Truncated();
                    var n = Math.Min(perMiniblock, count - index);
                    BitUnpacker.Unpack64(data.Slice(position, bytes), width, scratch.AsSpan(0, n));
                    position += bytes;
                    for (var i = 0; i < n; i++)
                    {
                        last = unchecked(last + minDelta + scratch[i]);
                        values[index++] = last;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(scratch);
        }
        return position;
    }

    /// <summary>Encodes values; <paramref name="is32Bit"/> wraps deltas in 32 bits as INT32 readers expect.</summary>
    public static void Encode(ReadOnlySpan<long> values, bool is32Bit, ArrayBufferWriter<byte> output)
    {
        RleHybridEncoder.WriteVarint(BlockSize, output);
        RleHybridEncoder.WriteVarint(MiniblocksPerBlock, output);
        RleHybridEncoder.WriteVarint((ulong)values.Length, output);
        RleHybridEncoder.WriteVarint(ZigZagEncode(values.IsEmpty ? 0 : values[0]), output);
        var deltas = new long[BlockSize];
        var packed = new long[ValuesPerMiniblock];
        for (var start = 1; start < values.Length; start += BlockSize)
        {
            var n = Math.Min(BlockSize, values.Length - start);
            var minDelta = long.MaxValue;
            for (var i = 0; i < n; i++)
            {
                var delta = unchecked(values[start + i] - values[start + i - 1]);
                if (is32Bit) delta = unchecked((int)delta);
                deltas[i] = delta;
                minDelta = Math.Min(minDelta, delta);
            }
            RleHybridEncoder.WriteVarint(ZigZagEncode(minDelta), output);
            // Bit widths precede the miniblocks, so pack first and write both afterwards.
            var widths = output.GetSpan(MiniblocksPerBlock)[..MiniblocksPerBlock];
            widths.Clear();
            var miniblockBytes = new byte[MiniblocksPerBlock][];
            for (var m = 0; m < MiniblocksPerBlock; m++)
            {
                var from = m * ValuesPerMiniblock;
                if (from >= n) break;
                ulong max = 0;
                for (var i = 0; i < ValuesPerMiniblock; i++)
                {
                    var v = from + i < n ? unchecked((ulong)(deltas[from + i] - minDelta)) : 0;
                    packed[i] = (long)v;
                    max |= v;
                }
                var width = max == 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount(max);
                widths[m] = (byte)width;
                miniblockBytes[m] = new byte[ValuesPerMiniblock * width / 8];
                BitUnpacker.Pack(packed, width, miniblockBytes[m]);
            }
            output.Advance(MiniblocksPerBlock);
            foreach (var bytes in miniblockBytes)
                if (bytes is not null) output.Write(bytes);
        }
    }

    internal static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw Truncated();
            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ParquetFormatException("DELTA_BINARY_PACKED varint is longer than 10 bytes");
    }

    private static long ZigZag(ulong raw) => (long)(raw >> 1) ^ -(long)(raw & 1);

    private static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static ParquetFormatException Truncated() => new("DELTA_BINARY_PACKED data is truncated");
}
