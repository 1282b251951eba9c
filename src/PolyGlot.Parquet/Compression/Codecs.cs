using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Runtime.InteropServices;
using PolyGlot.Parquet.Format;

namespace PolyGlot.Parquet.Compression;

/// <summary>
/// Page compression. GZIP and BROTLI come from the BCL; ZSTD, SNAPPY and LZ4_RAW from the system
/// libraries through P/Invoke (no managed package for them is on this project's registry).
/// </summary>
public static unsafe class Codecs
{
    // ZSTD contexts are reused (creating one costs more than a small page), each by one call at a time. They are pooled,
    // not kept per thread: a thread-pool thread that retires would take its context with it, and the pool's churn
    // would leak one per thread ever used. So there are never more than calls that ran at once.
    private static readonly ConcurrentStack<nint> ZstdDecompressContexts = new();
    private static readonly ConcurrentStack<nint> ZstdCompressContexts = new();

    /// <summary>Whether this process can use <paramref name="codec"/> (its library loads).</summary>
    public static bool IsAvailable(CompressionCodec codec)
    {
        try
        {
            Compress(codec, [1, 2, 3], 1);
            return true;
        }
        catch (ParquetException)
        {
            return false;
        }
    }

    /// <summary>Decompresses <paramref name="source"/> into exactly <paramref name="destination"/>.Length bytes.</summary>
    /// <exception cref="ParquetFormatException">The data is corrupt or decompresses to another size.</exception>
    /// <exception cref="ParquetException">The codec is not supported or its library is missing.</exception>
    public static void Decompress(CompressionCodec codec, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written;
        try
        {
            written = codec switch
            {
                CompressionCodec.Uncompressed => Copy(source, destination),
                CompressionCodec.Zstd => ZstdDecompress(source, destination),
                CompressionCodec.Snappy => SnappyDecompress(source, destination),
                CompressionCodec.Gzip => GzipDecompress(source, destination),
                CompressionCodec.Brotli => BrotliDecompress(source, destination),
                CompressionCodec.Lz4Raw => Lz4Decompress(source, destination),
                _ => throw Unsupported(codec),
            };
        }
        catch (DllNotFoundException e)
        {
            throw MissingLibrary(codec, e);
        }
        catch (InvalidDataException e)
        {
            throw new ParquetFormatException($"{codec} data is corrupt: {e.Message}");
        }
        if (written != destination.Length)
            throw new ParquetFormatException($"{codec} page decompresses to {written} bytes where the header says {destination.Length}");
    }

    /// <summary>Compresses <paramref name="source"/>; <paramref name="level"/> applies to ZSTD, GZIP and BROTLI.</summary>
    public static byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> source, int level)
    {
        try
        {
            return codec switch
            {
                CompressionCodec.Uncompressed => source.ToArray(),
                CompressionCodec.Zstd => ZstdCompress(source, level),
                CompressionCodec.Snappy => SnappyCompress(source),
                CompressionCodec.Gzip => GzipCompress(source, level),
                CompressionCodec.Brotli => BrotliCompress(source, level),
                CompressionCodec.Lz4Raw => Lz4Compress(source),
                _ => throw Unsupported(codec),
            };
        }
        catch (DllNotFoundException e)
        {
            throw MissingLibrary(codec, e);
        }
    }

    /// <summary>
    /// Compresses <paramref name="source"/> and appends the result to <paramref name="output"/>: the
    /// writer's path, which reuses one buffer for every page instead of allocating a result per page.
    /// </summary>
    internal static int Compress(CompressionCodec codec, ReadOnlySpan<byte> source, int level, ArrayBufferWriter<byte> output)
    {
        try
        {
            var written = codec switch
            {
                CompressionCodec.Uncompressed => Append(source, output),
                CompressionCodec.Zstd => ZstdCompress(source, level, output),
                CompressionCodec.Snappy => SnappyCompress(source, output),
                CompressionCodec.Lz4Raw => Lz4Compress(source, output),
                _ => Append(Compress(codec, source, level), output),
            };
            output.Advance(written);
            return written;
        }
        catch (DllNotFoundException e)
        {
            throw MissingLibrary(codec, e);
        }
    }

    private static int Append(ReadOnlySpan<byte> source, ArrayBufferWriter<byte> output)
    {
        source.CopyTo(output.GetSpan(source.Length));
        return source.Length;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != destination.Length) return source.Length;
        source.CopyTo(destination);
        return source.Length;
    }

    private static int ZstdDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var context = ZstdDecompressContexts.TryPop(out var free) ? free : NativeCodecs.ZSTD_createDCtx();
        try
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                var result = NativeCodecs.ZSTD_decompressDCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length);
                if (NativeCodecs.ZSTD_isError(result) != 0)
                    throw new ParquetFormatException($"ZSTD data is corrupt: {Marshal.PtrToStringAnsi(NativeCodecs.ZSTD_getErrorName(result))}");
                return (int)result;
            }
        }
        finally
        {
            ZstdDecompressContexts.Push(context);
        }
    }

    private static byte[] ZstdCompress(ReadOnlySpan<byte> source, int level)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Advance(ZstdCompress(source, level, output));
        return output.WrittenSpan.ToArray();
    }

    private static int ZstdCompress(ReadOnlySpan<byte> source, int level, ArrayBufferWriter<byte> output)
    {
        var destination = output.GetSpan((int)NativeCodecs.ZSTD_compressBound((nuint)source.Length));
        var context = ZstdCompressContexts.TryPop(out var free) ? free : NativeCodecs.ZSTD_createCCtx();
        try
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                var result = NativeCodecs.ZSTD_compressCCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length, level);
                if (NativeCodecs.ZSTD_isError(result) != 0)
                    throw new ParquetException($"ZSTD compression failed: {Marshal.PtrToStringAnsi(NativeCodecs.ZSTD_getErrorName(result))}");
                return (int)result;
            }
        }
        finally
        {
            ZstdCompressContexts.Push(context);
        }
    }

    private static int SnappyDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint length;
            if (NativeCodecs.snappy_uncompressed_length(src, (nuint)source.Length, &length) != 0)
                throw new ParquetFormatException("SNAPPY data is corrupt: no valid length header");
            if (length != (nuint)destination.Length) return (int)Math.Min(length, int.MaxValue);
            var status = NativeCodecs.snappy_uncompress(src, (nuint)source.Length, dst, &length);
            if (status != 0) throw new ParquetFormatException($"SNAPPY data is corrupt (status {status})");
            return (int)length;
        }
    }

    private static byte[] SnappyCompress(ReadOnlySpan<byte> source)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Advance(SnappyCompress(source, output));
        return output.WrittenSpan.ToArray();
    }

    private static int SnappyCompress(ReadOnlySpan<byte> source, ArrayBufferWriter<byte> output)
    {
        var destination = output.GetSpan((int)NativeCodecs.snappy_max_compressed_length((nuint)source.Length));
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var length = (nuint)destination.Length;
            var status = NativeCodecs.snappy_compress(src, (nuint)source.Length, dst, &length);
            if (status != 0) throw new ParquetException($"SNAPPY compression failed (status {status})");
            return (int)length;
        }
    }

    private static int Lz4Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var result = NativeCodecs.LZ4_decompress_safe(src, dst, source.Length, destination.Length);
            if (result < 0) throw new ParquetFormatException($"LZ4_RAW data is corrupt (code {result})");
            return result;
        }
    }

    private static byte[] Lz4Compress(ReadOnlySpan<byte> source)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Advance(Lz4Compress(source, output));
        return output.WrittenSpan.ToArray();
    }

    private static int Lz4Compress(ReadOnlySpan<byte> source, ArrayBufferWriter<byte> output)
    {
        var destination = output.GetSpan(NativeCodecs.LZ4_compressBound(source.Length));
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var length = NativeCodecs.LZ4_compress_default(src, dst, source.Length, destination.Length);
            if (length <= 0) throw new ParquetException("LZ4_RAW compression failed");
            return length;
        }
    }

    private static int GzipDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        {
            using var input = new UnmanagedMemoryStream(src, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            var total = 0;
            while (total < destination.Length)
            {
                var read = gzip.Read(destination[total..]);
                if (read == 0) break;
                total += read;
            }
            // One byte more than announced means the page is larger than its header says.
            Span<byte> probe = stackalloc byte[1];
            if (total == destination.Length && gzip.Read(probe) > 0) total++;
            return total;
        }
    }

    private static byte[] GzipCompress(ReadOnlySpan<byte> source, int level)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level <= 1 ? CompressionLevel.Fastest : CompressionLevel.Optimal))
            gzip.Write(source);
        return output.ToArray();
    }

    private static int BrotliDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        using var decoder = new BrotliDecoder();
        var status = decoder.Decompress(source, destination, out _, out var written);
        if (status == System.Buffers.OperationStatus.DestinationTooSmall) return destination.Length + 1;
        if (status != System.Buffers.OperationStatus.Done) throw new ParquetFormatException($"BROTLI data is corrupt ({status})");
        return written;
    }

    private static byte[] BrotliCompress(ReadOnlySpan<byte> source, int level)
    {
        var output = new byte[BrotliEncoder.GetMaxCompressedLength(source.Length)];
        if (!BrotliEncoder.TryCompress(source, output, out var written, Math.Clamp(level, 0, 11), 22))
            throw new ParquetException("BROTLI compression failed");
        return output.AsSpan(0, written).ToArray();
    }

    private static ParquetException Unsupported(CompressionCodec codec) => Enum.IsDefined(codec)
        ? new ParquetException($"compression codec {codec.ToString().ToUpperInvariant()} is not supported (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, BROTLI); re-write the file with one of them")
        : new ParquetFormatException($"unknown compression codec {(int)codec}");

    private static ParquetException MissingLibrary(CompressionCodec codec, Exception inner)
    {
        var library = codec switch
        {
            CompressionCodec.Zstd => $"{NativeCodecs.Zstd} (Debian: apt-get install libzstd1)",
            CompressionCodec.Snappy => $"{NativeCodecs.Snappy} (Debian: apt-get install libsnappy1v5)",
            _ => $"{NativeCodecs.Lz4} (Debian: apt-get install liblz4-1)",
        };
        return new ParquetException($"compression codec {codec.ToString().ToUpperInvariant()} needs the library {library}, which could not be loaded", inner);
    }
}
