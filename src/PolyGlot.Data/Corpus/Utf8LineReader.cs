namespace PolyGlot.Data.Corpus;

/// <summary>
/// Reads a text file line by line, decoding each line strictly as UTF-8 so that an invalid byte
/// is reported with its line number (a <see cref="StreamReader"/> would replace it silently or fail
/// a buffer ahead). Files ending in <c>.gz</c> are decompressed on the fly.
/// </summary>
public static class Utf8LineReader
{
    /// <summary>The lines of <paramref name="path"/> (1-based numbers, <c>\r\n</c> and <c>\n</c> endings removed).</summary>
    /// <exception cref="CorpusFormatException">The file is missing, empty, or a line is not valid UTF-8.</exception>
    public static IEnumerable<(long Number, string Text)> ReadLines(string path)
    {
        using var lines = new Utf8LineStream(path);
        while (lines.TryReadLine(out var line))
        {
            var text = lines.Decode(line);
            yield return (lines.LineNumber, text);
        }
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
}
