using System.Runtime.InteropServices;

namespace PolyGlot.Parquet.Writing;

/// <summary>
/// A file written under a temporary name in the target's directory and renamed over the target only
/// after its bytes are flushed to disk, so a crash never leaves a file that looks complete.
/// </summary>
internal sealed partial class AtomicFileStream : IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private bool _committed;

    public AtomicFileStream(string path)
    {
        _path = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        _temporary = Path.Combine(directory, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
    }

    public FileStream Stream { get; }

    /// <summary>Flushes to disk, renames over the target and makes the rename durable.</summary>
    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
        SyncDirectory(Path.GetDirectoryName(_path)!);
    }

    public void Dispose()
    {
        if (_committed) return;
        Stream.Dispose();
        try
        {
            File.Delete(_temporary);
        }
        catch (IOException)
        {
            // Leaving a hidden temporary behind is harmless: it never has the target's name.
        }
    }

    // The rename is only durable once the directory entry is on disk (POSIX); elsewhere it is best effort.
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var fd = Open(directory, 0);
        if (fd < 0) return;
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
