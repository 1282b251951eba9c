namespace PolyGlot.Common.IO;

/// <summary>
/// Writes files so that a crash never leaves one that looks complete: the content goes to a
/// temporary name in the same directory, is flushed to disk, then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes UTF-8 text to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Streams content through <paramref name="write"/> into a temporary file, then renames it
    /// to <paramref name="path"/>; on any exception the temporary file is removed.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A unique temporary name beside <paramref name="path"/>, recognisable by its suffix.</summary>
    public static string TempPathFor(string path) =>
        $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
