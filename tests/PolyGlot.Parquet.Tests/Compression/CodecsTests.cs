using PolyGlot.Parquet.Compression;
using PolyGlot.Parquet.Format;

namespace PolyGlot.Parquet.Tests.Compression;

public class CodecsTests
{
    [Theory]
    [InlineData(CompressionCodec.Zstd)]
    [InlineData(CompressionCodec.Snappy)]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Lz4Raw)]
    [InlineData(CompressionCodec.Brotli)]
    public void BytesRoundTrip_When_CompressedAndDecompressed(CompressionCodec codec)
    {
        // Given compressible bytes
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 251 ^ i / 1000)).ToArray();

        // When compressed and decompressed
        var compressed = Codecs.Compress(codec, data, 3);
        var restored = new byte[data.Length];
        Codecs.Decompress(codec, compressed, restored);

        // Then the bytes are identical and smaller on the way
        Assert.Equal(data, restored);
        Assert.True(compressed.Length < data.Length);
    }

    [Fact]
    public void CodecsReportAvailability_When_Probed()
    {
        // Given the system libraries installed by scripts/setup.sh
        // When availability is probed
        var zstd = Codecs.IsAvailable(CompressionCodec.Zstd);
        var lzo = Codecs.IsAvailable(CompressionCodec.Lzo);

        // Then ZSTD is usable and LZO is not
        Assert.True(zstd);
        Assert.False(lzo);
    }

    [Fact]
    public void UnsupportedCodecIsNamed_When_LzoIsAsked()
    {
        // Given LZO, which this library does not implement
        // When a page is decompressed with it
        var error = Assert.Throws<ParquetException>(() => Codecs.Decompress(CompressionCodec.Lzo, [1, 2], new byte[2]));

        // Then the message names the codec and the alternatives
        Assert.Contains("LZO", error.Message);
        Assert.Contains("ZSTD", error.Message);
    }

    [Fact]
    public void FormatError_When_CodecIdIsUnknown()
    {
        // Given a codec id no specification defines
        // When a page is decompressed with it
        var error = Assert.Throws<ParquetFormatException>(() => Codecs.Decompress((CompressionCodec)42, [1], new byte[1]));

        // Then the id is named
        Assert.Contains("42", error.Message);
    }

    [Fact]
    public void FormatError_When_ZstdDataIsCorrupt()
    {
        // Given bytes that are not a ZSTD frame
        // When decompressed as ZSTD
        var error = Assert.Throws<ParquetFormatException>(() => Codecs.Decompress(CompressionCodec.Zstd, [1, 2, 3, 4, 5, 6, 7, 8], new byte[100]));

        // Then the codec is named
        Assert.Contains("ZSTD", error.Message);
    }
}
