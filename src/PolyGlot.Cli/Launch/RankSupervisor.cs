using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PolyGlot.Cli.Launch;

/// <summary>
/// Starts the ranks of one node as child processes and watches them as torchrun does: every line
/// they print is prefixed with the rank, SIGINT/SIGTERM sent to the launcher are passed on to
/// every rank, and when one rank fails the others get <see cref="KillTimeout"/> to stop on their
/// own (they normally do at once, as their collectives break) before they are killed.
/// </summary>
internal sealed partial class RankSupervisor
{
    private const int SigKill = 9;
    private readonly object _outputLock = new();
    private readonly List<RankProcess> _ranks = [];

    /// <summary>How long the surviving ranks get after the first failure before they are killed.</summary>
    public required TimeSpan KillTimeout { get; init; }

    /// <summary>Writes one prefixed output line (the console by default).</summary>
    public Action<string> Output { get; init; } = Console.Error.WriteLine;

    /// <summary>
    /// Starts one process per entry of <paramref name="environments"/> (its rank and variables),
    /// waits for all to end, and returns the outcome.
    /// </summary>
    public LaunchOutcome Run(string executable, IReadOnlyList<string> arguments, IReadOnlyList<RankEnvironment> environments)
    {
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward);
        foreach (var environment in environments)
            _ranks.Add(Start(executable, arguments, environment));
        return Supervise();
    }

    private RankProcess Start(string executable, IReadOnlyList<string> arguments, RankEnvironment environment)
    {
        var process = LocalRanks.Start(executable, arguments, environment);
        var rank = new RankProcess(environment.Rank, process);
        process.OutputDataReceived += (_, e) => Print(rank.Rank, e.Data);
        process.ErrorDataReceived += (_, e) => Print(rank.Rank, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return rank;
    }

    private LaunchOutcome Supervise()
    {
        RankProcess? firstFailure = null;
        DateTime? deadline = null;
        var killed = false;
        while (_ranks.Any(r => !r.Process.HasExited))
        {
            Thread.Sleep(100);
            if (firstFailure is null)
            {
                firstFailure = _ranks.Where(r => r.Process.HasExited && r.Process.ExitCode != 0).MinBy(r => r.Process.ExitTime);
                if (firstFailure is not null)
                    deadline = DateTime.UtcNow + KillTimeout;
            }
            if (deadline is { } limit && DateTime.UtcNow >= limit && !killed)
            {
                foreach (var rank in _ranks.Where(r => !r.Process.HasExited))
                    Signal(rank.Process, SigKill);
                killed = true;
            }
        }
        foreach (var rank in _ranks)
            rank.Process.WaitForExit();   // drains the output readers
        firstFailure ??= _ranks.Where(r => r.Process.ExitCode != 0).MinBy(r => r.Process.ExitTime);
        return new LaunchOutcome(_ranks.Select(r => r.Process.ExitCode).ToArray(), firstFailure?.Rank, killed);
    }

    private void Print(int rank, string? line)
    {
        if (line is null)
            return;
        lock (_outputLock)
            Output($"[rank {rank}] {line}");
    }

    private void Forward(PosixSignalContext context)
    {
        context.Cancel = true;   // the launcher stays until its ranks have saved and exited
        var number = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        foreach (var rank in _ranks.Where(r => !r.Process.HasExited))
            Signal(rank.Process, number);
    }

    private static void Signal(Process process, int number)
    {
        try
        {
            _ = Kill(process.Id, number);
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private sealed record RankProcess(int Rank, Process Process);
}

/// <summary>The rank a child process plays and the variables that tell it so.</summary>
internal sealed record RankEnvironment(int Rank, IReadOnlyDictionary<string, string> Variables);

/// <summary>How a launch ended.</summary>
/// <param name="ExitCodes">Each rank's exit code (128 + n: killed by signal n), in rank order.</param>
/// <param name="FirstFailedRank">The rank that failed first, or null when all succeeded.</param>
/// <param name="KilledSurvivors">Whether ranks still running after the kill timeout were killed.</param>
internal sealed record LaunchOutcome(IReadOnlyList<int> ExitCodes, int? FirstFailedRank, bool KilledSurvivors);
