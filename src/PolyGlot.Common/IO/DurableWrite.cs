using System.Runtime.InteropServices;

// This one file is compiled into PolyGlot.Common, PolyGlot.Parquet and PolyGlot.Torch (each
// .csproj links it): the two low-level packages reference no other project, and one source file
// keeps the three atomic writers identical without adding a project to the graph. The type is
// internal in each assembly, so the copies never meet in a caller's scope.
namespace PolyGlot.Common.IO;

/// <summary>
/// The one implementation of a durable atomic write: content goes to a temporary file beside the
/// target, is flushed to disk, renamed over the target, and the directory holding the rename is
/// flushed too (on Linux a rename survives a power loss only once its directory is on disk).
/// </summary>
internal static partial class DurableWrite
{
    /// <summary>
    /// Streams content through <paramref name="write"/> into a temporary file, then publishes it
    /// as <paramref name="path"/>; on any exception the temporary file is removed and the old
    /// content of <paramref name="path"/> (if any) is left as it was.
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
            Publish(temp, path);
        }
        catch
        {
            TryDeleteFile(temp);
            throw;
        }
    }

    /// <summary>Renames the flushed <paramref name="temp"/> over <paramref name="path"/>, then flushes the directory.</summary>
    public static void Publish(string temp, string path)
    {
        File.Move(temp, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Gives the finished directory <paramref name="temp"/> the name <paramref name="target"/>: its
    /// entries and, after the rename, the parent's are flushed. A directory already called target is
    /// first renamed to <paramref name="aside"/> (default: a temporary name beside it) and deleted
    /// only once temp has its name, so a crash at any point leaves one of the two whole.
    /// </summary>
    public static void PublishDirectory(string temp, string target, string? aside = null)
    {
        FlushDirectory(temp);
        string? replaced = null;
        if (Directory.Exists(target))
        {
            replaced = aside ?? TempPathFor(target);
            Directory.Move(target, replaced);
        }
        Directory.Move(temp, target);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        if (replaced is null)
            return;
        try
        {
            Directory.Delete(replaced, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Builds a directory under a temporary name beside <paramref name="target"/> with
    /// <paramref name="fill"/> (given that name), then publishes it (<see cref="PublishDirectory"/>);
    /// on failure the partial directory is deleted and <paramref name="target"/> is untouched.
    /// </summary>
    public static T WriteDirectory<T>(string target, Func<string, T> fill)
    {
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var result = fill(temp);
            PublishDirectory(temp, target);
            return result;
        }
        catch
        {
            if (Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>A unique temporary name beside <paramref name="path"/>: <c>path.PID.GUID.tmp</c>.</summary>
    public static string TempPathFor(string path) => $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    /// <summary>Deletes <paramref name="path"/> when it exists; a failure to delete is not an error (the name is temporary).</summary>
    public static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Flushes the entries of <paramref name="directory"/> (renames, creations) to disk. Nothing to do off Linux.</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed; the message names it and the errno.</exception>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(directory, DirectoryOpenFlags(RuntimeInformation.ProcessArchitecture));
        if (fd < 0)
            throw new IOException($"Cannot open directory {directory} to flush it to disk (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            // EINVAL: a filesystem that cannot sync a directory (fsync(2)); there is nothing to flush.
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != EInval)
                throw new IOException($"Cannot flush directory {directory} to disk (errno {errno}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// <c>O_RDONLY | O_DIRECTORY</c> for Linux on <paramref name="architecture"/>. O_DIRECTORY differs by
    /// architecture: 0200000 (0x10000) on x86, x86-64 and the generic table (RISC-V, s390x, LoongArch),
    /// 040000 (0x4000) on ARM, AArch64 and PowerPC, where 0x10000 would be O_DIRECT instead.
    /// </summary>
    public static int DirectoryOpenFlags(Architecture architecture) => architecture switch
    {
        Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le => 0x4000,
        _ => 0x10000,
    };

    private const int EInval = 22;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
