using System.Buffers;
using PolyGlot.Parquet.Encodings;

namespace PolyGlot.Parquet.Tests.Encodings;

public class DeltaBinaryPackedTests
{
    [Fact]
    public void Int64ValuesRoundTrip_When_DeltasOverflow()
    {
        // Given extremes whose deltas overflow 64 bits, and a partial last block
        long[] values = [long.MaxValue, long.MinValue, 0, -1, 1, long.MinValue, long.MaxValue, .. Enumerable.Range(0, 300).Select(i => (long)i * i * 1_000_003)];

        // When encoded and decoded
        var encoded = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode(values, is32Bit: false, encoded);
        var consumed = DeltaBinaryPacked.Decode(encoded.WrittenSpan, values.Length, out var decoded);

        // Then values and length are exact
        Assert.Equal(values, decoded);
        Assert.Equal(encoded.WrittenCount, consumed);
    }

    [Fact]
    public void Int32ValuesRoundTrip_When_DeltasWrapIn32Bits()
    {
        // Given int32 extremes
        int[] ints = [int.MaxValue, int.MinValue, 5, int.MinValue, int.MaxValue, 0];

        // When encoded as INT32 and decoded
        var encoded = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode(ints.Select(i => (long)i).ToArray(), is32Bit: true, encoded);
        DeltaBinaryPacked.Decode(encoded.WrittenSpan, ints.Length, out var decoded);

        // Then the low 32 bits are the values
        Assert.Equal(ints, decoded.Select(v => unchecked((int)v)));
    }

    [Fact]
    public void FormatError_When_CountExceedsPage()
    {
        // Given 1000 encoded values
        var encoded = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(), false, encoded);

        // When at most 10 may be in the page
        var error = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode(encoded.WrittenSpan, 10, out _));

        // Then the count is rejected before anything is allocated
        Assert.Contains("1000", error.Message);
    }
}
