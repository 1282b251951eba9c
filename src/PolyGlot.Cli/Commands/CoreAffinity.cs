using System.Runtime.InteropServices;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// Confines the benchmarking process to some of the cores it may use, so that a figure "on N cores" counts every
/// thread: a reader or writer stage running beside N workers competes with them for those N cores, as it would on
/// an N-core machine. Linux only (elsewhere nothing is pinned and the methods say so). The cores are the lowest-numbered
/// ones the process may use; where the kernel numbers SMT siblings next to each other, N of them are N hardware threads.
/// </summary>
/// <remarks>
/// <see cref="System.Diagnostics.Process.ProcessorAffinity"/> pins only the main thread on Linux, and thread-pool
/// threads that already exist would keep every core; so each thread of the process is pinned, and threads started
/// later inherit the mask of the thread that starts them.
/// </remarks>
internal static partial class CoreAffinity
{
    // glibc's cpu_set_t: 1024 CPUs.
    private const int MaskWords = 16;

    // sched_setaffinity's error for a thread that no longer exists.
    private const int Esrch = 3;

    /// <summary>The cores this process may run on, in ascending order (all of <see cref="Environment.ProcessorCount"/> where unknown).</summary>
    public static IReadOnlyList<int> AllowedCores()
    {
        var mask = new ulong[MaskWords];
        if (!OperatingSystem.IsLinux() || SchedGetAffinity(0, MaskWords * sizeof(ulong), mask) != 0)
            return Enumerable.Range(0, Environment.ProcessorCount).ToList();
        return Enumerable.Range(0, MaskWords * 64).Where(core => (mask[core / 64] & (1UL << (core % 64))) != 0).ToList();
    }

    /// <summary>Pins every thread of the process to <paramref name="cores"/>; false where that is not possible.</summary>
    public static bool PinProcess(IEnumerable<int> cores)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        var mask = MaskOf(cores);
        var pinned = true;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
            // A thread that ended since the listing (ESRCH) needs no mask.
            if (int.TryParse(Path.GetFileName(task), out var threadId) && SchedSetAffinity(threadId, MaskWords * sizeof(ulong), mask) != 0
                && Marshal.GetLastPInvokeError() != Esrch)
                pinned = false;
        return pinned;
    }

    /// <summary>
    /// Pins every thread of the process to the first <paramref name="count"/> of <paramref name="allowed"/>; false where
    /// that is not possible, <paramref name="count"/> among them when there are fewer (nothing is pinned then).
    /// </summary>
    public static bool PinProcess(IReadOnlyList<int> allowed, int count) => count <= allowed.Count && PinProcess(allowed.Take(count));

    /// <summary>Pins the calling thread alone to <paramref name="core"/>; false where that is not possible.</summary>
    public static bool PinCurrentThread(int core) =>
        OperatingSystem.IsLinux() && SchedSetAffinity(0, MaskWords * sizeof(ulong), MaskOf([core])) == 0;

    private static ulong[] MaskOf(IEnumerable<int> cores)
    {
        var mask = new ulong[MaskWords];
        foreach (var core in cores)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(core, MaskWords * 64);
            mask[core / 64] |= 1UL << (core % 64);
        }
        return mask;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int threadId, nint maskBytes, [In] ulong[] mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int threadId, nint maskBytes, [Out] ulong[] mask);
}
