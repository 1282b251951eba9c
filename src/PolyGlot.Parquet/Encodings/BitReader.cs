namespace PolyGlot.Parquet.Encodings;

/// <summary>Little-endian bit unpacking (LSB first) as used by Parquet's bit-packed runs and delta miniblocks.</summary>
internal static class BitUnpacker
{
    /// <summary>Unpacks <paramref name="output"/>.Length values of <paramref name="bitWidth"/> bits; missing trailing bytes read as zero.</summary>
    public static void Unpack(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }
        var mask = bitWidth == 32 ? 0xFFFFFFFFUL : (1UL << bitWidth) - 1;
        ulong buffer = 0;
        int bits = 0, position = 0;
        for (var i = 0; i < output.Length; i++)
        {
            while (bits < bitWidth)
            {
                if (position < data.Length) buffer |= (ulong)data[position] << bits;
                position++;
                bits += 8;
            }
            output[i] = (int)(buffer & mask);
            buffer >>= bitWidth;
            bits -= bitWidth;
        }
    }

    /// <summary>Unpacks values of up to 64 bits.</summary>
    public static void Unpack64(ReadOnlySpan<byte> data, int bitWidth, Span<long> output)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }
        var mask = bitWidth == 64 ? ulong.MaxValue : (1UL << bitWidth) - 1;
        long bitPosition = 0;
        for (var i = 0; i < output.Length; i++, bitPosition += bitWidth)
        {
            var byteIndex = (int)(bitPosition >> 3);
            var shift = (int)(bitPosition & 7);
            ulong low = 0;
            for (var b = 0; b < 8; b++)
                if (byteIndex + b < data.Length) low |= (ulong)data[byteIndex + b] << (8 * b);
            var value = low >> shift;
            if (shift + bitWidth > 64 && byteIndex + 8 < data.Length)
                value |= (ulong)data[byteIndex + 8] << (64 - shift);
            output[i] = (long)(value & mask);
        }
    }

    /// <summary>Packs values of <paramref name="bitWidth"/> bits LSB first.</summary>
    public static void Pack(ReadOnlySpan<long> values, int bitWidth, Span<byte> output)
    {
        output.Clear();
        long bitPosition = 0;
        foreach (var v in values)
        {
            var value = (ulong)v;
            for (var written = 0; written < bitWidth;)
            {
                var byteIndex = (int)((bitPosition + written) >> 3);
                var shift = (int)((bitPosition + written) & 7);
                var take = Math.Min(8 - shift, bitWidth - written);
                output[byteIndex] |= (byte)(((value >> written) & ((1UL << take) - 1)) << shift);
                written += take;
            }
            bitPosition += bitWidth;
        }
    }
}
