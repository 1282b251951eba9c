using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// The resident memory and CPU time of this process over time, for attributing them to windows
/// that are known only afterwards (the saves of a run, timed on rank 0). A thread reads
/// <c>/proc/self/status</c> every period: the resident size now (VmRSS) and the peak since the
/// previous read (VmHWM, which it then resets by writing 5 to <c>/proc/self/clear_refs</c>, Linux
/// 4.0 and later), so that a peak shorter than the period is still seen. Where the reset is refused
/// the peak of an interval falls back to the resident size read at its end (<see cref="Method"/>).
/// </summary>
internal sealed partial class ResidentMemorySampler : IDisposable
{
    private readonly List<Sample> _samples = new(capacity: 1 << 16);
    private readonly TimeSpan _period;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private ResidentMemorySampler(TimeSpan period, bool resetsPeak)
    {
        (_period, ResetsPeak) = (period, resetsPeak);
        _thread = new Thread(Loop) { IsBackground = true, Name = "polyglot-memory-sampler" };
    }

    /// <summary>One read: when, the resident size then, the peak since the previous read, and the process's CPU seconds.</summary>
    private readonly record struct Sample(long Timestamp, long ResidentBytes, long PeakBytes, double CpuSeconds);

    /// <summary>True when each interval's peak is the kernel's high-water mark; false when it is the resident size sampled.</summary>
    public bool ResetsPeak { get; }

    /// <summary>How the peaks were measured, in words for the report.</summary>
    public string Method => ResetsPeak
        ? string.Create(CultureInfo.InvariantCulture, $"VmHWM per {_period.TotalMilliseconds:0} ms interval (reset through /proc/self/clear_refs)")
        : string.Create(CultureInfo.InvariantCulture, $"VmRSS sampled every {_period.TotalMilliseconds:0} ms (this kernel refused to reset VmHWM)");

    /// <summary>Starts sampling every <paramref name="period"/>.</summary>
    public static ResidentMemorySampler Start(TimeSpan period)
    {
        var sampler = new ResidentMemorySampler(period, TryResetPeak());
        sampler.Record();
        sampler._thread.Start();
        return sampler;
    }

    /// <summary>Stops sampling (one last read first); the samples stay for <see cref="During"/>.</summary>
    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        _thread.Join();
        Record();
    }

    /// <summary>
    /// The highest peak of the intervals that lie wholly inside [<paramref name="start"/>,
    /// <paramref name="end"/>] (Stopwatch timestamps) above the resident size at the first of them,
    /// and the CPU seconds the process used over them. The intervals cut by the window's edges are
    /// left out, as they hold memory of the work before or after it, unless the window is too short
    /// to hold a whole one: then the intervals it touches count.
    /// </summary>
    public (long GrowthBytes, double CpuSeconds) During(long start, long end)
    {
        lock (_samples)
        {
            var first = _samples.FindIndex(s => s.Timestamp >= start);
            var last = _samples.FindLastIndex(s => s.Timestamp <= end);
            if (first < 0 || last <= first)
            {
                // The sampler read once before the work began and reads once more when it stops.
                first = Math.Max(0, first - 1);
                last = _samples.FindIndex(s => s.Timestamp >= end);
                if (last < 0)
                    throw new InvalidOperationException("the window ends after the last sample: stop the sampler after the work it measures");
            }
            var peak = _samples.Skip(first + 1).Take(last - first).Max(s => s.PeakBytes);
            return (Math.Max(0, peak - _samples[first].ResidentBytes), _samples[last].CpuSeconds - _samples[first].CpuSeconds);
        }
    }

    private void Loop()
    {
        while (!_stopping)
        {
            Thread.Sleep(_period);
            Record();
        }
    }

    private void Record()
    {
        var (resident, peak) = ReadStatus();
        if (ResetsPeak)
            TryResetPeak();
        var sample = new Sample(Stopwatch.GetTimestamp(), resident, ResetsPeak ? peak : resident, CpuSeconds());
        lock (_samples)
            _samples.Add(sample);
    }

    // VmRSS and VmHWM in bytes (the file gives kB).
    private static (long Resident, long Peak) ReadStatus()
    {
        long resident = 0, peak = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                resident = Kilobytes(line) * 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                peak = Kilobytes(line) * 1024;
        }
        return (resident, peak);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double CpuSeconds() => GetRUsage(0, out var usage) == 0
        ? usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6
        : double.NaN;

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        private readonly long _maxRss, _ixRss, _idRss, _isRss, _minFlt, _majFlt, _nSwap, _inBlock, _ouBlock, _msgSnd, _msgRcv, _nSignals, _nvCsw, _nivCsw;
    }

    // RUSAGE_SELF (0): every thread of this process.
    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);
}
