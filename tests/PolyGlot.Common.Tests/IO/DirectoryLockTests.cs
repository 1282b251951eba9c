using System.Diagnostics;
using PolyGlot.Common.IO;

namespace PolyGlot.Common.Tests.IO;

public sealed class DirectoryLockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pg-lock-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ThrowsNamingTheHolder_When_DirectoryIsAlreadyLocked()
    {
        // Given a directory locked by this process
        var dir = Path.Combine(_root, "run");
        using var held = DirectoryLock.Acquire(dir, "polyglot train");

        // When a second lock is asked for (a second open file description: flock refuses it as it would another process)
        var error = Assert.Throws<DirectoryLockedException>(() => DirectoryLock.Acquire(dir, "polyglot train"));

        // Then the refusal names the holder's PID, host and command
        Assert.Contains($"PID {Environment.ProcessId} on {Environment.MachineName}", error.Message);
        Assert.Contains("(polyglot train)", error.Message);
        Assert.Equal(Environment.ProcessId, error.Holder!.Pid);
    }

    [Fact]
    public void RecordsPidHostAndStartTime_When_Acquired()
    {
        var dir = Path.Combine(_root, "run");

        using var held = DirectoryLock.Acquire(dir, "polyglot prepare");

        var holder = DirectoryLock.ReadHolder(dir);
        Assert.NotNull(holder);
        Assert.Equal(Environment.ProcessId, holder.Pid);
        Assert.Equal(Environment.MachineName, holder.Host);
        using var self = Process.GetCurrentProcess();
        Assert.InRange((holder.StartedUtc - self.StartTime.ToUniversalTime()).Duration().TotalSeconds, 0, 1);
    }

    [Fact]
    public void CanBeTakenAgain_When_Released()
    {
        var dir = Path.Combine(_root, "run");
        DirectoryLock.Acquire(dir, "first").Dispose();

        using var second = DirectoryLock.Acquire(dir, "second");

        Assert.Equal("second", DirectoryLock.ReadHolder(dir)!.Command);
    }

    [Fact]
    public void ReplacesTheLockWithAWarning_When_ItsHolderHasExited()
    {
        // Given a lock file left behind by a process of this host that has exited (as after kill -9)
        var dir = Path.Combine(_root, "run");
        Directory.CreateDirectory(dir);
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            gone.WaitForExit();
            var dead = new LockHolder(gone.Id, Environment.MachineName, DateTime.UtcNow.AddMinutes(-1), "polyglot train");
            File.WriteAllBytes(Path.Combine(dir, DirectoryLock.FileName), dead.ToBytes());
        }
        var warnings = new List<string>();

        // When the directory is locked
        using var taken = DirectoryLock.Acquire(dir, "polyglot train", warnings.Add);

        // Then the stale lock is replaced and the replacement said so
        Assert.Equal(Environment.ProcessId, DirectoryLock.ReadHolder(dir)!.Pid);
        Assert.Contains(warnings, w => w.Contains("stale lock", StringComparison.Ordinal));
    }

    [Fact]
    public void Refuses_When_TheLockFileNamesAProcessOnAnotherHost()
    {
        // Given a lock file written on another machine (a shared filesystem): its PID cannot be checked from here
        var dir = Path.Combine(_root, "run");
        Directory.CreateDirectory(dir);
        var remote = new LockHolder(4242, "other-node-17", DateTime.UtcNow, "polyglot train");
        File.WriteAllBytes(Path.Combine(dir, DirectoryLock.FileName), remote.ToBytes());

        // When the directory is locked here
        var error = Assert.Throws<DirectoryLockedException>(() => DirectoryLock.Acquire(dir, "polyglot train"));

        // Then it refuses, naming that holder and the file to delete if that process is gone
        Assert.Contains("PID 4242 on other-node-17", error.Message);
        Assert.Contains(DirectoryLock.FileName, error.Message);
    }

    [Fact]
    public void RemovesTheDirectory_When_ItCreatedItAndNothingWasWritten()
    {
        var dir = Path.Combine(_root, "out");

        DirectoryLock.Acquire(dir, "polyglot tokenizer train").Dispose();

        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void KeepsTheDirectory_When_ItExistedBefore()
    {
        var dir = Path.Combine(_root, "out");
        Directory.CreateDirectory(dir);

        DirectoryLock.Acquire(dir, "polyglot prepare").Dispose();

        Assert.True(Directory.Exists(dir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }
}
