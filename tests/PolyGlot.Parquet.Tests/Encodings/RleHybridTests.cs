using System.Buffers;
using PolyGlot.Parquet.Encodings;

namespace PolyGlot.Parquet.Tests.Encodings;

public class RleHybridTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(32)]
    public void ValuesRoundTrip_When_RunsAndNoiseMix(int bitWidth)
    {
        // Given long runs, short runs and random values of this width
        var random = new Random(bitWidth);
        var max = bitWidth == 32 ? int.MaxValue : (1 << bitWidth) - 1;
        var values = new List<int>();
        for (var block = 0; block < 50; block++)
        {
            var value = random.Next(0, max);
            values.AddRange(Enumerable.Repeat(value, random.Next(1, 40)));
            for (var i = random.Next(0, 13); i > 0; i--) values.Add(random.Next(0, max));
        }

        // When encoded and decoded
        var encoded = new ArrayBufferWriter<byte>();
        RleHybridEncoder.Encode(values.ToArray(), bitWidth, encoded);
        var decoded = new int[values.Count];
        RleHybridDecoder.Decode(encoded.WrittenSpan, bitWidth, decoded);

        // Then the values are identical
        Assert.Equal(values, decoded);
    }

    [Fact]
    public void KnownBytesDecode_When_SpecificationExampleIsGiven()
    {
        // Given the specification's bit-packing example: 0..7 with width 3 is 10001000 11000110 11111010
        byte[] data = [0x03, 0b10001000, 0b11000110, 0b11111010];

        // When decoded as one bit-packed run of one group
        var decoded = new int[8];
        RleHybridDecoder.Decode(data, 3, decoded);

        // Then the values are 0..7
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], decoded);
    }

    [Fact]
    public void FormatError_When_DataEndsBeforeAllValues()
    {
        // Given an RLE run of 4 values
        byte[] data = [4 << 1, 7];

        // When 10 values are asked for
        var error = Assert.Throws<ParquetFormatException>(() => RleHybridDecoder.Decode(data, 3, new int[10]));

        // Then the error says the data ended
        Assert.Contains("ends", error.Message);
    }
}
