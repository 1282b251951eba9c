using System.Buffers;
using System.Numerics;

namespace PolyGlot.Parquet.Encodings;

/// <summary>
/// Encodes the RLE/bit-packed hybrid: runs of eight or more equal values become RLE runs, everything
/// else goes into bit-packed groups of eight (the last group padded with zeros).
/// </summary>
internal static class RleHybridEncoder
{
    public static void Encode(ReadOnlySpan<int> values, int bitWidth, ArrayBufferWriter<byte> output) => Encode<int>(values, bitWidth, output);

    /// <summary>Encodes definition or repetition levels as they are held, one byte each (no widening copy).</summary>
    public static void EncodeLevels(ReadOnlySpan<byte> levels, int bitWidth, ArrayBufferWriter<byte> output) => Encode<byte>(levels, bitWidth, output);

    private static void Encode<T>(ReadOnlySpan<T> values, int bitWidth, ArrayBufferWriter<byte> output) where T : unmanaged, IBinaryInteger<T>
    {
        var pendingStart = -1;
        var i = 0;
        while (i < values.Length)
        {
            var run = RunLength(values, i);
            if (run >= 8)
            {
                if (pendingStart >= 0) FlushPacked(values, pendingStart, i, bitWidth, output);
                pendingStart = -1;
                WriteRle(int.CreateTruncating(values[i]), run, bitWidth, output);
                i += run;
                continue;
            }
            if (pendingStart < 0) pendingStart = i;
            i = Math.Min(values.Length, i + 8);
        }
        if (pendingStart >= 0) FlushPacked(values, pendingStart, values.Length, bitWidth, output);
    }

    private static int RunLength<T>(ReadOnlySpan<T> values, int start) where T : unmanaged, IBinaryInteger<T>
    {
        var rest = values[start..];
        var first = rest[0];
        var differing = rest.IndexOfAnyExcept(first);
        return differing < 0 ? rest.Length : differing;
    }

    private static void WriteRle(int value, int run, int bitWidth, ArrayBufferWriter<byte> output)
    {
        WriteVarint((ulong)run << 1, output);
        var valueBytes = (bitWidth + 7) / 8;
        var span = output.GetSpan(valueBytes);
        for (var b = 0; b < valueBytes; b++) span[b] = (byte)(value >> (8 * b));
        output.Advance(valueBytes);
    }

    private static void FlushPacked<T>(ReadOnlySpan<T> values, int start, int end, int bitWidth, ArrayBufferWriter<byte> output) where T : unmanaged, IBinaryInteger<T>
    {
        var groups = (end - start + 7) / 8;
        WriteVarint(((ulong)groups << 1) | 1, output);
        var padded = groups <= 64 ? stackalloc long[groups * 8] : new long[groups * 8];
        padded.Clear();
        for (var i = start; i < end; i++) padded[i - start] = long.CreateTruncating(values[i]);
        var bytes = groups * bitWidth;
        var span = output.GetSpan(bytes)[..bytes];
        BitUnpacker.Pack(padded, bitWidth, span);
        output.Advance(bytes);
    }

    internal static void WriteVarint(ulong value, ArrayBufferWriter<byte> output)
    {
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        output.Advance(n);
    }

    /// <summary>Bits needed to store values up to <paramref name="maxValue"/>.</summary>
    public static int BitWidth(long maxValue) => maxValue <= 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)maxValue);
}
