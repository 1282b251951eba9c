using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// Makes renames survive a power loss: on Linux a rename is durable only once the directory that
/// holds it is flushed, which .NET has no API for, so this opens the directory and calls fsync.
/// </summary>
public static partial class DurableFiles
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    /// <summary>Flushes the directory entries of <paramref name="directory"/> to disk (no-op off Unix).</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed.</exception>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
            throw new IOException($"Cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"Cannot flush directory {directory} to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Moves <paramref name="temp"/> over <paramref name="path"/>, then flushes the directory.</summary>
    public static void Publish(string temp, string path)
    {
        File.Move(temp, path, overwrite: true);
        FlushDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>A unique temporary name beside <paramref name="path"/>, recognisable by its suffix.</summary>
    public static string TempPathFor(string path) => $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
