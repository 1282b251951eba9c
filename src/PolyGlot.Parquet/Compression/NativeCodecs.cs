using System.Runtime.InteropServices;

namespace PolyGlot.Parquet.Compression;

/// <summary>P/Invoke declarations for the system codec libraries (Debian: libzstd1, libsnappy1v5, liblz4-1).</summary>
internal static unsafe partial class NativeCodecs
{
    internal const string Zstd = "libzstd.so.1";
    internal const string Snappy = "libsnappy.so.1";
    internal const string Lz4 = "liblz4.so.1";

    [LibraryImport(Zstd)]
    internal static partial nint ZSTD_createDCtx();

    [LibraryImport(Zstd)]
    internal static partial nuint ZSTD_decompressDCtx(nint context, byte* destination, nuint capacity, byte* source, nuint sourceSize);

    [LibraryImport(Zstd)]
    internal static partial nint ZSTD_createCCtx();

    [LibraryImport(Zstd)]
    internal static partial nuint ZSTD_compressCCtx(nint context, byte* destination, nuint capacity, byte* source, nuint sourceSize, int level);

    [LibraryImport(Zstd)]
    internal static partial nuint ZSTD_compressBound(nuint sourceSize);

    [LibraryImport(Zstd)]
    internal static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Zstd)]
    internal static partial nint ZSTD_getErrorName(nuint code);

    [LibraryImport(Snappy)]
    internal static partial int snappy_compress(byte* input, nuint inputLength, byte* compressed, nuint* compressedLength);

    [LibraryImport(Snappy)]
    internal static partial int snappy_uncompress(byte* compressed, nuint compressedLength, byte* uncompressed, nuint* uncompressedLength);

    [LibraryImport(Snappy)]
    internal static partial nuint snappy_max_compressed_length(nuint sourceLength);

    [LibraryImport(Snappy)]
    internal static partial int snappy_uncompressed_length(byte* compressed, nuint compressedLength, nuint* result);

    [LibraryImport(Lz4)]
    internal static partial int LZ4_decompress_safe(byte* source, byte* destination, int compressedSize, int capacity);

    [LibraryImport(Lz4)]
    internal static partial int LZ4_compress_default(byte* source, byte* destination, int sourceSize, int capacity);

    [LibraryImport(Lz4)]
    internal static partial int LZ4_compressBound(int inputSize);
}
