using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PolyGlot.Common.IO;

/// <summary>
/// One process at a time in a directory (a run directory, a tokenizer or shard output root): two
/// writers in one place would interleave checkpoints, logs or shards. Two mechanisms, because
/// either alone has a gap:
/// <list type="bullet">
/// <item>an exclusive <c>flock</c> on the directory itself, which the kernel drops when the holder
/// dies however it dies (kill -9, a crash), so a dead holder never blocks;</item>
/// <item>a lock file, <c>.polyglot.lock</c>, created exclusively and holding the holder's PID, host,
/// start time and command, so that a refusal can name the other process, and so that the lock still
/// holds where <c>flock</c> does not reach (some network filesystems). A lock file whose holder is on
/// this host and no longer runs is stale and is replaced; one from another host is left to a person.</item>
/// </list>
/// </summary>
public sealed partial class DirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the locked directory.</summary>
    public const string FileName = ".polyglot.lock";

    private readonly int _directoryFd;
    private readonly bool _createdDirectory;
    private bool _disposed;

    private DirectoryLock(string directory, string file, int directoryFd, bool createdDirectory, LockHolder holder)
    {
        Directory = directory;
        LockFile = file;
        _directoryFd = directoryFd;
        _createdDirectory = createdDirectory;
        Holder = holder;
    }

    /// <summary>The locked directory.</summary>
    public string Directory { get; }

    /// <summary>The lock file inside it.</summary>
    public string LockFile { get; }

    /// <summary>This process, as written into the lock file.</summary>
    public LockHolder Holder { get; }

    /// <summary>
    /// Locks <paramref name="directory"/> (creating it when missing) for <paramref name="command"/>,
    /// or throws at once when another live process holds it.
    /// </summary>
    /// <param name="directory">The directory to own.</param>
    /// <param name="command">What this process does there, e.g. <c>polyglot train</c>; written into the lock file.</param>
    /// <param name="warn">Receives one line when a stale lock of a dead process is replaced.</param>
    /// <exception cref="DirectoryLockedException">Another process holds the directory; the message names it.</exception>
    public static DirectoryLock Acquire(string directory, string command, Action<string>? warn = null)
    {
        var full = Path.GetFullPath(directory);
        var created = !System.IO.Directory.Exists(full);
        System.IO.Directory.CreateDirectory(full);
        var file = Path.Combine(full, FileName);
        var fd = LockDirectory(full, file);
        try
        {
            var holder = LockHolder.Current(command);
            TakeLockFile(full, file, holder, haveFlock: fd >= 0, warn);
            return new DirectoryLock(full, file, fd, created, holder);
        }
        catch
        {
            ReleaseDirectory(fd);
            throw;
        }
    }

    /// <summary>The holder recorded in <paramref name="directory"/>'s lock file, or null when there is none or it is unreadable.</summary>
    public static LockHolder? ReadHolder(string directory) => LockHolder.TryRead(Path.Combine(directory, FileName));

    /// <summary>Removes the lock file and releases the directory; removes the directory too when this lock created it and it stayed empty.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DurableWrite.TryDeleteFile(LockFile);
        if (_createdDirectory)
        {
            // A command that failed before writing anything leaves no empty folder behind.
            try
            {
                if (!System.IO.Directory.EnumerateFileSystemEntries(Directory).Any())
                    System.IO.Directory.Delete(Directory);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        ReleaseDirectory(_directoryFd);
    }

    private static int LockDirectory(string directory, string file)
    {
        if (!OperatingSystem.IsLinux())
            return -1;
        // Close-on-exec: a child process must not inherit the descriptor, or the lock would outlive this process.
        var fd = Open(directory, DurableWrite.DirectoryOpenFlags(RuntimeInformation.ProcessArchitecture) | CloseOnExec);
        if (fd < 0)
            throw new IOException($"Cannot open {directory} to lock it (errno {Marshal.GetLastPInvokeError()}).");
        if (Flock(fd, LockExclusive | LockNonBlocking) == 0)
            return fd;
        var errno = Marshal.GetLastPInvokeError();
        _ = Close(fd);
        if (errno == EWouldBlock)
            throw new DirectoryLockedException(directory, WaitForHolder(file));
        // ENOLCK/EINVAL/EOPNOTSUPP: this filesystem has no flock; the lock file alone guards it.
        return -1;
    }

    // The holder takes the flock before it writes the file: give it a moment to finish the write.
    private static LockHolder? WaitForHolder(string file)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (LockHolder.TryRead(file) is { } holder)
                return holder;
            if (clock.ElapsedMilliseconds > 2000)
                return null;
            Thread.Sleep(50);
        }
    }

    private static void TakeLockFile(string directory, string file, LockHolder holder, bool haveFlock, Action<string>? warn)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                stream.Write(holder.ToBytes());
                stream.Flush(flushToDisk: true);
                return;
            }
            catch (IOException) when (File.Exists(file) && attempt < 3)
            {
                var other = LockHolder.TryRead(file);
                // Holding the flock, an unreadable file is one whose writer died before finishing it.
                var stale = other is null ? haveFlock : other.IsDeadOnThisHost();
                if (!stale)
                    throw new DirectoryLockedException(directory, other);
                warn?.Invoke($"{directory}: removing the stale lock of {(object?)other ?? "a process that died while taking it"} (that process no longer runs)");
                DurableWrite.TryDeleteFile(file);
            }
        }
    }

    private static void ReleaseDirectory(int fd)
    {
        if (fd < 0)
            return;
        _ = Flock(fd, LockUnlock);
        _ = Close(fd);
    }

    private const int CloseOnExec = 0x80000; // O_CLOEXEC (02000000) on x86, x86-64, ARM, AArch64, RISC-V
    private const int LockExclusive = 2;   // LOCK_EX
    private const int LockNonBlocking = 4; // LOCK_NB
    private const int LockUnlock = 8;      // LOCK_UN
    private const int EWouldBlock = 11;    // EAGAIN = EWOULDBLOCK on Linux (every architecture .NET runs on)

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

/// <summary>The process that holds a <see cref="DirectoryLock"/>, as its lock file records it.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Host">Host name.</param>
/// <param name="StartedUtc">When that process started (UTC), which tells a reused PID from the holder.</param>
/// <param name="Command">What it does there, e.g. <c>polyglot train</c>.</param>
public sealed record LockHolder(int Pid, string Host, DateTime StartedUtc, string Command)
{
    /// <summary>This process.</summary>
    public static LockHolder Current(string command)
    {
        using var self = Process.GetCurrentProcess();
        return new LockHolder(Environment.ProcessId, Environment.MachineName, self.StartTime.ToUniversalTime(), command);
    }

    /// <summary>The holder in <paramref name="file"/>, or null when the file is missing, being written, or not a lock file.</summary>
    public static LockHolder? TryRead(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        var fields = lines.Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("pid", out var pid) || !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !fields.TryGetValue("host", out var host)
            || !fields.TryGetValue("started", out var started)
            || !DateTime.TryParse(started, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return null;
        return new LockHolder(id, host, time, fields.GetValueOrDefault("command", "?"));
    }

    /// <summary>True when the holder ran on this host and is gone: its PID no longer runs, or now belongs to a later process.</summary>
    public bool IsDeadOnThisHost()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.Ordinal))
            return false;
        try
        {
            using var process = Process.GetProcessById(Pid);
            // A PID reused by a process started after the holder is not the holder (1 s: the clock's grain in /proc).
            return process.HasExited || Math.Abs((process.StartTime.ToUniversalTime() - StartedUtc).TotalSeconds) > 1;
        }
        catch (ArgumentException)
        {
            return true;   // no process with that id
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>The lock file's text: one <c>key value</c> line per field.</summary>
    public byte[] ToBytes() => System.Text.Encoding.UTF8.GetBytes(
        $"pid {Pid.ToString(CultureInfo.InvariantCulture)}\nhost {Host}\nstarted {StartedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\ncommand {Command}\n");

    /// <inheritdoc />
    public override string ToString() =>
        $"PID {Pid} on {Host}, started {StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC ({Command})";
}

/// <summary>Another process holds a directory this one needs; the message names it and what to do.</summary>
public sealed class DirectoryLockedException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>, held by <paramref name="holder"/> (null when it cannot be read).</summary>
    public DirectoryLockedException(string directory, LockHolder? holder)
        : base(holder is null
            ? $"{directory} is in use by another process (its lock file {DirectoryLock.FileName} is being written or unreadable); " +
              "wait for that process to finish, or stop it, then try again."
            : $"{directory} is in use by another process: {holder}. Two processes writing one directory would corrupt it: " +
              "wait for that process to finish or stop it" +
              (string.Equals(holder.Host, Environment.MachineName, StringComparison.Ordinal)
                  ? $" (kill {holder.Pid}), then try again."
                  : $"; if it no longer runs on {holder.Host}, delete {Path.Combine(directory, DirectoryLock.FileName)} and try again."))
    {
        Directory = directory;
        Holder = holder;
    }

    /// <summary>The directory that is held.</summary>
    public string Directory { get; }

    /// <summary>Its holder, when the lock file could be read.</summary>
    public LockHolder? Holder { get; }
}
