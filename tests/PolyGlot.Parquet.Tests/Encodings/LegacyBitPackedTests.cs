using PolyGlot.Parquet.Encodings;

namespace PolyGlot.Parquet.Tests.Encodings;

public class LegacyBitPackedTests
{
    [Fact]
    public void KnownBytesDecode_When_SpecificationExampleIsGiven()
    {
        // Given the specification's BIT_PACKED example: 0..7 with width 3, MSB first
        byte[] data = [0b00000101, 0b00111001, 0b01110111];

        // When decoded
        var levels = new byte[8];
        LegacyBitPacked.Decode(data, 3, levels);

        // Then the levels are 0..7
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], levels);
    }
}
