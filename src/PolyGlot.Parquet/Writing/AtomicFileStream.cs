using PolyGlot.Common.IO;

namespace PolyGlot.Parquet.Writing;

/// <summary>
/// A file written under a temporary name in the target's directory and renamed over the target only
/// after its bytes are flushed to disk, so a crash never leaves a file that looks complete. The
/// rename and the directory flush are the shared <see cref="DurableWrite"/> (compiled into this assembly).
/// </summary>
internal sealed class AtomicFileStream : IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private bool _committed;

    public AtomicFileStream(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _temporary = DurableWrite.TempPathFor(_path);
        Stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
    }

    public FileStream Stream { get; }

    /// <summary>Flushes to disk, renames over the target and makes the rename durable.</summary>
    /// <exception cref="IOException">Flushing, renaming or flushing the directory failed.</exception>
    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        DurableWrite.Publish(_temporary, _path);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        Stream.Dispose();
        // Leaving the temporary behind is harmless (it never has the target's name); removing it is tidier.
        DurableWrite.TryDeleteFile(_temporary);
    }
}
