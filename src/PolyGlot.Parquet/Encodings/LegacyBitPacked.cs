namespace PolyGlot.Parquet.Encodings;

/// <summary>The deprecated BIT_PACKED level encoding: values packed MSB first, no run headers.</summary>
internal static class LegacyBitPacked
{
    public static void Decode(ReadOnlySpan<byte> data, int bitWidth, Span<byte> levels)
    {
        long bit = 0;
        for (var i = 0; i < levels.Length; i++)
        {
            var value = 0;
            for (var b = 0; b < bitWidth; b++, bit++)
                value = (value << 1) | ((data[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1);
            levels[i] = (byte)value;
        }
    }
}
