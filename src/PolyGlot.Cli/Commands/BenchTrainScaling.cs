using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using PolyGlot.Cli.Launch;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench train --config FILE --nproc-per-node N [--zero 0,1,2,3]</c>: the data-parallel
/// scaling of the real trainer. Trains the config for a few steps as one process, then as N ranks
/// through <c>polyglot launch</c> (each process with the same number of libtorch threads, cores / N),
/// at the config's ZeRO stage or at each stage of <c>--zero</c> in turn (stage 0 first, the
/// reference of the ratios), and prints tokens/s of each, the scaling efficiency tokens/s(N) /
/// (N x tokens/s(1)), the CPU seconds all processes used beside the wall time, and per rank what
/// <c>train</c> logs it held at most at the end of a backward and its peak resident memory.
/// </summary>
internal static partial class BenchTrainScaling
{
    public static int Run(string configPath, int ranks, int steps, int warmup, int[]? stages)
    {
        if (ranks < (stages is null ? 2 : 1) || steps < 1 || warmup < 0)
            throw new ArgumentException("--nproc-per-node must be >= 2 (>= 1 with --zero), --steps >= 1 and --warmup >= 0.");
        var config = RunConfig.Load(configPath);
        config.Batch(ranks, configPath);
        var threads = Math.Max(1, Environment.ProcessorCount / ranks);
        stages = stages?.Prepend(0).Distinct().Order().ToArray();
        var root = Directory.CreateTempSubdirectory("polyglot-bench-scaling-").FullName;
        try
        {
            Serilog.Log.Information("bench train: {Name}, {Steps} timed steps after {Warmup}, 1 process vs {Ranks} ranks{Stages}, {Threads} libtorch thread(s) per process",
                config.Name, steps, warmup, ranks, stages is null ? "" : $" at ZeRO {string.Join(", ", stages)}", threads);
            var single = Time(configPath, Path.Combine(root, "one"), null, threads, steps + warmup, warmup);
            if (stages is null)
            {
                Print(ranks, single, Time(configPath, Path.Combine(root, "many"), ranks, threads, steps + warmup, warmup));
                return 0;
            }
            var byStage = stages.ToDictionary(stage => stage, stage =>
                Time(StageConfig(configPath, stage, root), Path.Combine(root, $"zero-{stage}"), ranks, threads, steps + warmup, warmup));
            PrintStages(ranks, single, byStage);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The hidden <c>bench train-rank --report DIR -- train ...</c>: runs the command after <c>--</c>
    /// in this process, as it would run alone, then writes this process's peak resident memory and
    /// CPU seconds (getrusage) to DIR/rank-R.json, which only the process itself can read exactly.
    /// </summary>
    public static Command CreateRankCommand()
    {
        var report = new Option<string>("--report") { Description = "Directory for rank-R.json", Required = true };
        var command = new Command("train-rank", "Run a command (train) and record the process's peak memory (used by bench train itself).")
        {
            Hidden = true, TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(report);
        command.SetAction(parse => CommandErrors.Run("bench train-rank", () =>
        {
            var code = Program.BuildRoot().Parse(parse.UnmatchedTokens.ToArray()).Invoke();
            var rank = Environment.GetEnvironmentVariable("RANK") ?? "0";
            if (GetRUsage(0, out var usage) != 0)
                throw new InvalidOperationException("getrusage(RUSAGE_SELF) failed");
            var figures = new JsonObject { ["peak_rss_bytes"] = usage.MaxRssKilobytes * 1024, ["cpu_seconds"] = Seconds(usage) };
            File.WriteAllText(Path.Combine(parse.GetValue(report)!, $"rank-{rank}.json"), figures.ToJsonString());
            return code;
        }));
        return command;
    }

    private sealed record Measurement(double TokensPerSecond, double StepSeconds, double WallSeconds, double CpuSeconds, IReadOnlyList<RankMemory> Ranks);

    /// <summary>What one rank held at most at the end of a backward (train's own figure) and its peak resident memory.</summary>
    private sealed record RankMemory(double HeldMegabytes, long PeakRssBytes);

    // The config with training.distributed.zero set to the stage, written beside the runs.
    private static string StageConfig(string configPath, int stage, string root)
    {
        var config = RunConfig.Load(configPath);
        config.Training.Distributed.Zero = stage;
        var path = Path.Combine(root, $"zero-{stage}.yaml");
        File.WriteAllText(path, config.ToYaml());
        return path;
    }

    // ranks null: one process alone; otherwise N ranks through polyglot launch. Each process runs
    // train under train-rank, which records its peak memory.
    private static Measurement Time(string configPath, string runDir, int? ranks, int threads, int totalSteps, int warmup)
    {
        var (executable, prefix) = LocalRanks.SelfInvocation();
        var reports = Directory.CreateDirectory(runDir + "-memory").FullName;
        string[] train = ["bench", "train-rank", "--report", reports, "--", "train", "--config", configPath, "--run-dir", runDir,
            "--resume", "none", "--max-steps", Text(totalSteps), "--threads", Text(threads)];
        string[] arguments = ranks is { } n ? [.. prefix, "launch", "--nproc-per-node", Text(n), "--", .. train] : [.. prefix, .. train];
        var cpuBefore = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        var log = RunForLog(executable, arguments);
        var wall = clock.Elapsed.TotalSeconds;
        var cpu = ChildrenCpuSeconds() - cpuBefore;
        var (tokens, seconds) = TimedSteps(Path.Combine(runDir, "metrics.jsonl"), warmup);
        var held = HeldMegabytes(log, ranks ?? 1);
        var memory = Enumerable.Range(0, ranks ?? 1).Select(r => new RankMemory(held[r],
            JsonNode.Parse(File.ReadAllText(Path.Combine(reports, $"rank-{r}.json")))!["peak_rss_bytes"]!.GetValue<long>())).ToList();
        return new Measurement(tokens / seconds, seconds / (totalSteps - warmup), wall, cpu, memory);
    }

    // Runs the command to its end and returns its log (standard error, where the ranks' lines go).
    private static string RunForLog(string executable, string[] arguments)
    {
        using var process = LocalRanks.Start(executable, arguments, new RankEnvironment(0, new Dictionary<string, string>()));
        var output = process.StandardOutput.ReadToEndAsync();
        var log = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromHours(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', arguments)} ran longer than 2 hours");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{log.Result}{output.Result}");
        return log.Result;
    }

    // train's line "held at most X MB of parameters, gradients and AdamW state", per rank ("[rank R] " under launch).
    private static double[] HeldMegabytes(string log, int ranks)
    {
        var held = new double?[ranks];
        foreach (var line in log.Split('\n'))
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^(?:\[rank (\d+)\] )?.*train: held at most ([\d.,]+) MB");
            if (match.Success)
                held[match.Groups[1].Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0] =
                    double.Parse(match.Groups[2].Value.Replace(',', '.'), CultureInfo.InvariantCulture);
        }
        return held.Select((h, r) => h ?? throw new InvalidDataException($"rank {r} logged no 'held at most' line")).ToArray();
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

    private static void PrintStages(int ranks, Measurement one, IReadOnlyDictionary<int, Measurement> byStage)
    {
        var c = CultureInfo.InvariantCulture;
        var reference = byStage[0];
        Console.WriteLine("run               tokens/s  x ZeRO-0  efficiency  step ms  wall s  CPU s   held MB per rank (most x ZeRO-0)   peak RSS MB per rank (most x ZeRO-0)");
        Console.WriteLine(string.Create(c, $"{"1 process",-16} {one.TokensPerSecond,9:N0}  {"",8}  {"",10}  {one.StepSeconds * 1e3,7:F1}  {one.WallSeconds,6:F1}  {one.CpuSeconds,5:F1}   {Ranks(one, r => r.HeldMegabytes),-34}  {Ranks(one, r => r.PeakRssBytes / 1e6)}"));
        foreach (var (stage, run) in byStage)
            Console.WriteLine(string.Create(c,
                $"{$"{ranks} rank{(ranks == 1 ? "" : "s")}, ZeRO-{stage}",-16} {run.TokensPerSecond,9:N0}  {run.TokensPerSecond / reference.TokensPerSecond,8:F3}  {run.TokensPerSecond / (ranks * one.TokensPerSecond),10:F3}  {run.StepSeconds * 1e3,7:F1}  {run.WallSeconds,6:F1}  {run.CpuSeconds,5:F1}   " +
                $"{$"{Ranks(run, r => r.HeldMegabytes)} ({Most(run, r => r.HeldMegabytes) / Most(reference, r => r.HeldMegabytes):F3})",-34}  " +
                $"{Ranks(run, r => r.PeakRssBytes / 1e6)} ({Most(run, r => r.PeakRssBytes) / Most(reference, r => r.PeakRssBytes):F3})"));
        Console.WriteLine(string.Create(c, $"efficiency: tokens/s of {ranks} ranks / ({ranks} x 1 process); held: train's figure at the end of a backward; peak RSS: getrusage of each process"));
    }

    private static string Ranks(Measurement run, Func<RankMemory, double> value) =>
        string.Join(" / ", run.Ranks.Select(r => value(r).ToString("F1", CultureInfo.InvariantCulture)));

    private static double Most(Measurement run, Func<RankMemory, double> value) => run.Ranks.Max(value);

    // CPU time of all finished, waited-for descendants (the launcher waits for its ranks).
    private static double ChildrenCpuSeconds() => GetRUsage(-1, out var usage) == 0 ? Seconds(usage) : double.NaN;

    private static double Seconds(RUsage usage) =>
        usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds, MaxRssKilobytes;
        private readonly long _ixRss, _idRss, _isRss, _minFlt, _majFlt, _nSwap, _inBlock, _ouBlock, _msgSnd, _msgRcv, _nSignals, _nvCsw, _nivCsw;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
