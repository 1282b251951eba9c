using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using PolyGlot.Cli.Launch;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench train --config FILE --nproc-per-node N</c>: the data-parallel scaling of the
/// real trainer. Trains the config for a few steps as one process, then as N ranks through
/// <c>polyglot launch</c> (each process with the same number of libtorch threads, cores / N), and
/// prints tokens/s of each, the scaling efficiency tokens/s(N) / (N x tokens/s(1)), and the CPU
/// seconds all processes used beside the wall time.
/// </summary>
internal static partial class BenchTrainScaling
{
    public static int Run(string configPath, int ranks, int steps, int warmup)
    {
        if (ranks < 2 || steps < 1 || warmup < 0)
            throw new ArgumentException("--nproc-per-node must be >= 2, --steps >= 1 and --warmup >= 0.");
        var config = RunConfig.Load(configPath);
        config.Batch(ranks, configPath);
        var threads = Math.Max(1, Environment.ProcessorCount / ranks);
        var root = Directory.CreateTempSubdirectory("polyglot-bench-scaling-").FullName;
        try
        {
            Serilog.Log.Information("bench train: {Name}, {Steps} timed steps after {Warmup}, 1 process vs {Ranks} ranks, {Threads} libtorch thread(s) per process",
                config.Name, steps, warmup, ranks, threads);
            var single = Time(configPath, Path.Combine(root, "one"), 1, threads, steps + warmup, warmup);
            var parallel = Time(configPath, Path.Combine(root, "many"), ranks, threads, steps + warmup, warmup);
            Print(ranks, single, parallel);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed record Measurement(double TokensPerSecond, double StepSeconds, double WallSeconds, double CpuSeconds);

    private static Measurement Time(string configPath, string runDir, int ranks, int threads, int totalSteps, int warmup)
    {
        var (executable, prefix) = LocalRanks.SelfInvocation();
        string[] train = ["train", "--config", configPath, "--run-dir", runDir, "--resume", "none",
            "--max-steps", Text(totalSteps), "--threads", Text(threads)];
        string[] arguments = ranks == 1 ? [.. prefix, .. train] : [.. prefix, "launch", "--nproc-per-node", Text(ranks), "--", .. train];
        var cpuBefore = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        LocalRanks.RunAndCollect(executable, arguments, [new RankEnvironment(0, new Dictionary<string, string>())], TimeSpan.FromHours(2));
        var wall = clock.Elapsed.TotalSeconds;
        var cpu = ChildrenCpuSeconds() - cpuBefore;
        var (tokens, seconds) = TimedSteps(Path.Combine(runDir, "metrics.jsonl"), warmup);
        return new Measurement(tokens / seconds, seconds / (totalSteps - warmup), wall, cpu);
    }

    // Tokens and step seconds of the steps after the warm-up, from the run's own metrics.
    private static (double Tokens, double Seconds) TimedSteps(string metrics, int warmup)
    {
        double tokens = 0, seconds = 0;
        long? previousTokens = null;
        foreach (var line in File.ReadLines(metrics))
        {
            var json = JsonNode.Parse(line)!;
            if (json["kind"]!.GetValue<string>() != "train")
                continue;
            var consumed = json["tokens_consumed"]!.GetValue<long>();
            if (json["step"]!.GetValue<long>() > warmup && previousTokens is { } before)
            {
                tokens += consumed - before;
                seconds += json["step_seconds"]!.GetValue<double>();
            }
            previousTokens = consumed;
        }
        return seconds > 0 ? (tokens, seconds) : throw new InvalidDataException($"{metrics} holds no timed steps after the warm-up.");
    }

    private static void Print(int ranks, Measurement one, Measurement many)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"1 process   {one.TokensPerSecond,10:N0} tokens/s  step {one.StepSeconds * 1e3,8:F1} ms  wall {one.WallSeconds,6:F1} s  CPU {one.CpuSeconds,6:F1} s"));
        Console.WriteLine(string.Create(c, $"{ranks} ranks     {many.TokensPerSecond,10:N0} tokens/s  step {many.StepSeconds * 1e3,8:F1} ms  wall {many.WallSeconds,6:F1} s  CPU {many.CpuSeconds,6:F1} s"));
        Console.WriteLine(string.Create(c, $"scaling efficiency {many.TokensPerSecond / (ranks * one.TokensPerSecond):F3} (tokens/s of {ranks} ranks / ({ranks} x 1 process))"));
    }

    // CPU time of all finished, waited-for descendants (the launcher waits for its ranks).
    private static double ChildrenCpuSeconds()
    {
        if (GetRUsage(-1, out var usage) != 0)
            return double.NaN;
        return usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        private readonly long _maxRss, _ixRss, _idRss, _isRss, _minFlt, _majFlt, _nSwap, _inBlock, _ouBlock, _msgSnd, _msgRcv, _nSignals, _nvCsw, _nivCsw;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
