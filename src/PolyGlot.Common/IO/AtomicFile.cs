namespace PolyGlot.Common.IO;

/// <summary>
/// Writes files so that a crash never leaves one that looks complete: the content goes to a
/// temporary name in the same directory, is flushed to disk, renamed over the target, and the
/// directory is flushed so that the rename itself survives a power loss (<see cref="DurableWrite"/>).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        DurableWrite.Write(path, stream => stream.Write(copy));
    }

    /// <summary>Writes UTF-8 text to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        DurableWrite.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Streams content through <paramref name="write"/> into a temporary file, then renames it
    /// to <paramref name="path"/>; on any exception the temporary file is removed.
    /// </summary>
    public static void Write(string path, Action<Stream> write) => DurableWrite.Write(path, write);

    /// <summary>Renames the flushed file <paramref name="temp"/> over <paramref name="path"/> and flushes the directory.</summary>
    public static void Publish(string temp, string path) => DurableWrite.Publish(temp, path);

    /// <summary>A unique temporary name beside <paramref name="path"/>, recognisable by its suffix.</summary>
    public static string TempPathFor(string path) => DurableWrite.TempPathFor(path);

    /// <summary>Flushes the entries of <paramref name="directory"/> to disk (after a rename or a creation in it).</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed.</exception>
    public static void FlushDirectory(string directory) => DurableWrite.FlushDirectory(directory);
}
