using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench ops</c>: the per-op overhead of the tensor API (including dispose scopes) and
/// small training steps, against Debian's Python PyTorch on the same libtorch, in one run
/// (scripts/reference/torch_bench_ops.py holds the Python side of each case).
/// </summary>
internal static class BenchOpsCommand
{
    private const string Script = "scripts/reference/torch_bench_ops.py";

    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads on both sides", DefaultValueFactory = _ => 1 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per case; the median is reported", DefaultValueFactory = _ => 7 };
        var scale = new Option<double>("--scale") { Description = "Multiplies the iterations per round", DefaultValueFactory = _ => 1.0 };
        var python = new Option<string>("--python") { Description = "Python with PyTorch", DefaultValueFactory = _ => "/usr/bin/python3" };
        var command = new Command("ops", "Per-op overhead and tiny training steps: C# vs Python PyTorch on the same libtorch, as ratios.");
        command.Options.Add(threads);
        command.Options.Add(rounds);
        command.Options.Add(scale);
        command.Options.Add(python);
        command.SetAction(parse => Run(parse.GetValue(threads), parse.GetValue(rounds), parse.GetValue(scale), parse.GetValue(python)!));
        return command;
    }

    private static int Run(int threads, int rounds, double scale, string python)
    {
        if (threads < 1 || rounds < 1 || scale <= 0)
        {
            Serilog.Log.Error("bench ops: --threads and --rounds must be >= 1 and --scale > 0 (got {Threads}, {Rounds}, {Scale})", threads, rounds, scale);
            return 1;
        }
        TorchRuntime.Threads = threads;
        Serilog.Log.Information("bench ops: libtorch {Version}, {Threads} thread(s), {Rounds} rounds; timing C#", TorchRuntime.Version, TorchRuntime.Threads, rounds);
        var csharp = BenchOpsCases.All().ToDictionary(c => c.Name, c => Measure(c, rounds, scale));
        Serilog.Log.Information("bench ops: timing Python ({Python} {Script})", python, Script);
        var pythonResults = RunPython(python, threads, rounds, scale);
        Print(csharp, pythonResults);
        return 0;
    }

    // Median over rounds of the mean time per iteration, after a warm-up of a tenth of a round.
    private static double Measure(BenchOpsCases.Case benchCase, int rounds, double scale)
    {
        var iterations = Math.Max(1, (int)(benchCase.Iterations * scale));
        var body = benchCase.Create();
        body(Math.Max(1, iterations / 10));
        var samples = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var start = Stopwatch.GetTimestamp();
            body(iterations);
            samples[r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
        }
        Array.Sort(samples);
        return samples[rounds / 2];
    }

    private static Dictionary<string, double> RunPython(string python, int threads, int rounds, double scale)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-B", LocateScript(), "--threads", Text(threads), "--rounds", Text(rounds), "--scale", Text(scale) })
            start.ArgumentList.Add(argument);
        start.Environment["OMP_NUM_THREADS"] = Text(threads);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{python} {Script} failed (exit {process.ExitCode}); scripts/setup.sh installs python3-torch:\n{errors.Result}");
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("ns_per_iteration").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
    }

    private static void Print(Dictionary<string, double> csharp, Dictionary<string, double> python)
    {
        Console.WriteLine($"{"case",-24} {"C# ns",12} {"Python ns",12} {"C#/Py",7} {"goal",6}");
        foreach (var benchCase in BenchOpsCases.All())
        {
            var cs = csharp[benchCase.Name];
            var py = python.TryGetValue(benchCase.Name, out var value) ? value : double.NaN;
            var ratio = cs / py;
            var verdict = ratio <= benchCase.Goal ? "ok" : "MISSED";
            Console.WriteLine($"{benchCase.Name,-24} {cs,12:F0} {py,12:F0} {ratio,7:F2} {benchCase.Goal,6:F1} {verdict}");
        }
    }

    private static string LocateScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, Script);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"{Script} not found above {AppContext.BaseDirectory}; run polyglot from the repository build.");
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
