using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using PolyGlot.Cli.Launch;
using PolyGlot.Torch;
using PolyGlot.Torch.Distributed;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench allreduce</c>: times all-reduce of float32 buffers (1 MiB .. 256 MiB by
/// default) over N local Gloo ranks, through PolyGlot's c10d binding and through
/// <c>torch.distributed</c> (scripts/reference/dist_allreduce_bench.py) on the same libtorch, in
/// alternating rounds; each side's fastest round counts. Prints per size the median time per
/// all-reduce, bus bandwidth, CPU seconds of all ranks and the C#/Python time ratio.
/// </summary>
internal static class BenchAllReduceCommand
{
    private const string Script = "scripts/reference/dist_allreduce_bench.py";

    public static Command Create()
    {
        var ranks = new Option<int>("--ranks") { Description = "Local ranks (processes)", DefaultValueFactory = _ => 2 };
        var sizes = new Option<string>("--sizes") { Description = "Buffer sizes in MiB, comma-separated", DefaultValueFactory = _ => "1,4,16,64,256" };
        var iterations = new Option<int>("--iterations") { Description = "Timed all-reduces per size (the median counts)", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds of C# and Python; each side's fastest counts", DefaultValueFactory = _ => 2 };
        var python = new Option<string>("--python") { Description = "Python with PyTorch; 'none' skips the comparison", DefaultValueFactory = _ => "/usr/bin/python3" };
        var worker = new Option<bool>("--worker") { Hidden = true, Description = "Run as one rank (set by the benchmark itself)" };
        var command = new Command("allreduce", "All-reduce time and bandwidth over local Gloo ranks, against torch.distributed.");
        foreach (var option in new Option[] { ranks, sizes, iterations, rounds, python, worker })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(ranks), ParseSizes(parse.GetValue(sizes)!), parse.GetValue(iterations), parse.GetValue(rounds),
                parse.GetValue(python)!);
            return CommandErrors.Run("bench allreduce", () => parse.GetValue(worker) ? Worker(settings) : Run(settings));
        });
        return command;
    }

    private sealed record Settings(int Ranks, int[] SizesMiB, int Iterations, int Rounds, string Python);

    private sealed record Timing(Dictionary<string, double> Seconds, Dictionary<string, double> CpuSeconds);

    private static int Run(Settings settings)
    {
        if (settings.Ranks < 2 || settings.Iterations < 1 || settings.Rounds < 1)
            throw new ArgumentException("--ranks must be >= 2, --iterations and --rounds >= 1.");
        Serilog.Log.Information("bench allreduce: {Ranks} Gloo ranks on loopback, float32 buffers of {Sizes} MiB, {Iterations} all-reduces each, " +
            "libtorch {Version}, {Cores} cores", settings.Ranks, string.Join(", ", settings.SizesMiB), settings.Iterations, TorchRuntime.Version,
            Environment.ProcessorCount);
        Timing? csharp = null, python = null;
        for (var round = 0; round < settings.Rounds; round++)
        {
            csharp = Faster(csharp, RunCSharp(settings));
            if (settings.Python != "none")
                python = Faster(python, RunPython(settings));
        }
        Print(settings, csharp!, python);
        return 0;
    }

    private static Timing RunCSharp(Settings settings)
    {
        var (executable, prefix) = LocalRanks.SelfInvocation();
        var environments = Environments(settings, LocalRanks.FreePort());
        string[] arguments = [.. prefix, "bench", "allreduce", "--worker", "--sizes", string.Join(',', settings.SizesMiB),
            "--iterations", Text(settings.Iterations)];
        return Summarize(LocalRanks.RunAndCollect(executable, arguments, environments, TimeSpan.FromMinutes(20)));
    }

    // The Python peer takes its rank on the command line, so every rank has its own arguments.
    private static Timing RunPython(Settings settings)
    {
        var script = ReferenceScripts.Locate(Script);
        var port = LocalRanks.FreePort();
        var ranks = Environments(settings, port).Select(e => Task.Run(() => LocalRanks.RunAndCollect(settings.Python,
                [script, "127.0.0.1", Text(port), e.Variables["RANK"], Text(settings.Ranks), string.Join(',', settings.SizesMiB), Text(settings.Iterations)],
                [e], TimeSpan.FromMinutes(20))[0]))
            .ToArray();
        return Summarize(Task.WhenAll(ranks).GetAwaiter().GetResult());
    }

    private static List<RankEnvironment> Environments(Settings settings, int port) => Enumerable.Range(0, settings.Ranks)
        .Select(local => LocalRanks.Variables(local, settings.Ranks, 0, 1, "127.0.0.1", port)).ToList();

    // Each rank prints one JSON line; a size's time is the slowest rank's median (an all-reduce
    // ends together on every rank), CPU seconds are summed over ranks.
    private static Timing Summarize(IEnumerable<string> outputs)
    {
        var ranks = outputs.Select(o => JsonNode.Parse(o.Trim().Split('\n')[^1])!).ToList();
        Dictionary<string, double> Combine(string field, Func<IEnumerable<double>, double> how) => ranks[0][field]!.AsObject()
            .ToDictionary(p => p.Key, p => how(ranks.Select(r => r[field]![p.Key]!.GetValue<double>())));
        return new Timing(Combine("seconds", v => v.Max()), Combine("cpu_seconds", v => v.Sum()));
    }

    private static int Worker(Settings settings)
    {
        var launch = LaunchEnvironment.FromProcess() ?? throw new ArgumentException("--worker runs under the benchmark's own ranks only.");
        TorchRuntime.Threads = 1;
        using var group = ProcessGroup.Join("gloo", launch.MasterAddress, launch.MasterPort, launch.Rank, launch.WorldSize, TimeSpan.FromSeconds(300));
        var seconds = new JsonObject();
        var cpuSeconds = new JsonObject();
        foreach (var mib in settings.SizesMiB)
        {
            using var scope = DisposeScope.Enter();
            var buffer = Tensor.Ones([mib * (1L << 20) / 4]);
            group.AllReduce(buffer);
            group.Barrier();
            var samples = new double[settings.Iterations];
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < samples.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                group.AllReduce(buffer);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            cpuSeconds[Text(mib)] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Array.Sort(samples);
            seconds[Text(mib)] = samples[samples.Length / 2];
            group.Barrier();
        }
        Console.WriteLine(new JsonObject { ["rank"] = launch.Rank, ["seconds"] = seconds, ["cpu_seconds"] = cpuSeconds }.ToJsonString());
        return 0;
    }

    private static void Print(Settings settings, Timing csharp, Timing? python)
    {
        var c = CultureInfo.InvariantCulture;
        var n = settings.Ranks;
        Console.WriteLine(python is null
            ? "size MiB   C# ms    bus GB/s  CPU s"
            : "size MiB   C# ms    bus GB/s  CPU s    Python ms  bus GB/s  CPU s    C#/Python time");
        var worst = 0.0;
        foreach (var mib in settings.SizesMiB)
        {
            var key = Text(mib);
            // Bus bandwidth as nccl-tests defines it for all-reduce: bytes x 2 (n - 1) / n per second.
            double Bus(double seconds) => mib * (double)(1 << 20) * 2 * (n - 1) / n / seconds / 1e9;
            var line = string.Create(c, $"{mib,8}  {csharp.Seconds[key] * 1e3,8:F2}  {Bus(csharp.Seconds[key]),8:F2}  {csharp.CpuSeconds[key],6:F2}");
            if (python is not null)
            {
                var ratio = csharp.Seconds[key] / python.Seconds[key];
                worst = Math.Max(worst, ratio);
                line += string.Create(c, $"    {python.Seconds[key] * 1e3,9:F2}  {Bus(python.Seconds[key]),8:F2}  {python.CpuSeconds[key],6:F2}    {ratio,6:F3}");
            }
            Console.WriteLine(line);
        }
        if (python is not null)
            Console.WriteLine(string.Create(c, $"worst C#/Python time ratio {worst:F3} (goal <= 1.05: {(worst <= 1.05 ? "met" : "MISSED")})"));
    }

    private static Timing Faster(Timing? best, Timing next) => best is null
        ? next
        : new Timing(next.Seconds.ToDictionary(p => p.Key, p => Math.Min(p.Value, best.Seconds[p.Key])),
            next.Seconds.ToDictionary(p => p.Key, p => next.Seconds[p.Key] <= best.Seconds[p.Key] ? next.CpuSeconds[p.Key] : best.CpuSeconds[p.Key]));

    private static int[] ParseSizes(string text)
    {
        var sizes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 && v <= 4096 ? v
                : throw new ArgumentException($"--sizes: '{s}' is not a size in MiB between 1 and 4096."))
            .ToArray();
        return sizes.Length > 0 ? sizes : throw new ArgumentException("--sizes: give at least one size in MiB.");
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
