using System.Diagnostics;
using System.Globalization;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// What a process has cost the machine so far: minor page faults (a fresh page mapped and zeroed by
/// the kernel; Linux's <c>/proc/self/stat</c>, absent elsewhere) and CPU time in the kernel and in
/// user space. Differences over timed steps show how much of a step is the kernel handing out memory.
/// </summary>
internal readonly record struct ProcessCounters(long? MinorFaults, double KernelSeconds, double UserSeconds)
{
    public static ProcessCounters Read()
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessCounters(ReadMinorFaults(), process.PrivilegedProcessorTime.TotalSeconds, process.UserProcessorTime.TotalSeconds);
    }

    public static ProcessCounters operator -(ProcessCounters after, ProcessCounters before) =>
        new(after.MinorFaults - before.MinorFaults, after.KernelSeconds - before.KernelSeconds, after.UserSeconds - before.UserSeconds);

    public ProcessCounters PerStep(int steps) => new(MinorFaults / steps, KernelSeconds / steps, UserSeconds / steps);

    // Field 10 of /proc/self/stat; the command name (field 2) is parenthesised and may hold spaces.
    private static long? ReadMinorFaults()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>One side's fastest round: its median step time and what a step cost the machine.</summary>
internal sealed record StepSample(double Seconds, ProcessCounters PerStep);
