using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// Reads a text file line by line, decoding each line strictly as UTF-8 so that an invalid byte
/// is reported with its line number (a <see cref="StreamReader"/> would replace it silently or fail
/// a buffer ahead). Files ending in <c>.gz</c> are decompressed on the fly.
/// </summary>
public static class Utf8LineReader
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The lines of <paramref name="path"/> (1-based numbers, <c>\r\n</c> and <c>\n</c> endings removed).</summary>
    /// <exception cref="CorpusFormatException">The file is missing, empty, or a line is not valid UTF-8.</exception>
    public static IEnumerable<(long Number, string Text)> ReadLines(string path)
    {
        using var stream = Open(path);
        var buffer = new ArrayBufferWriter<byte>(4096);
        long number = 0;
        var sawAnyByte = false;
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            sawAnyByte = true;
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(chunk, (byte)'\n', start, read - start)) >= 0)
            {
                buffer.Write(chunk.AsSpan(start, newline - start));
                yield return (++number, Decode(buffer.WrittenSpan, path, number));
                buffer.ResetWrittenCount();
                start = newline + 1;
            }
            buffer.Write(chunk.AsSpan(start, read - start));
        }
        if (!sawAnyByte)
            throw new CorpusFormatException(path, null, "the file is empty; remove it from the source or give it content");
        if (buffer.WrittenCount > 0)
            yield return (++number, Decode(buffer.WrittenSpan, path, number));
    }

    /// <summary>Opens <paramref name="path"/> for reading, through gzip when it ends in <c>.gz</c>.</summary>
    public static Stream Open(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new CorpusFormatException(path, null, "the file does not exist; check the source's path");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new CheckedGzipStream(stream, path)
            : stream;
    }

    private static string Decode(ReadOnlySpan<byte> line, string path, long number)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r')
            line = line[..^1];
        if (number == 1 && line.StartsWith(Encoding.UTF8.Preamble))
            line = line[3..];
        try
        {
            return Strict.GetString(line);
        }
        catch (DecoderFallbackException e)
        {
            throw new CorpusFormatException(path, $"line {number}",
                $"invalid UTF-8 at byte {e.Index} of the line; convert the file to UTF-8 (e.g. iconv -f <encoding> -t UTF-8)", e);
        }
    }
}
