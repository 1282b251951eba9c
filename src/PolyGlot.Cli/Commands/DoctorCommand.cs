using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PolyGlot.Tokenization;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Diagnostics;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Planning;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot doctor [--config FILE [--world-size N] [--device-memory SIZE] [--json FILE]]</c>: what
/// this machine offers a run. Prints the libtorch version and whether the shim was built with CUDA,
/// the native libraries loaded, the CUDA devices (name, memory, compute capability, bf16, peak
/// FLOP/s), then a numerical self-test on every device (<see cref="DeviceSelfTest"/>). With
/// <c>--config</c> it also prints the run's memory plan per rank on N ranks (<see cref="MemoryPlanner"/>,
/// at the config's own ZeRO stage) against the device memory, with the smallest change that fits when
/// it does not. Exits 0 only when the self-test passes and, with <c>--config</c>, the device and
/// precision the config asks for are present and the plan fits.
/// </summary>
internal static class DoctorCommand
{
    private sealed record Settings(string? Config, int? WorldSize, string? DeviceMemory, string? Json, bool Distributed = false);

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run configuration (YAML) whose device, precision and memory must be available" };
        var worldSize = new Option<int?>("--world-size") { Description = "Ranks to plan the memory of --config for (default 1)" };
        var deviceMemory = new Option<string?>("--device-memory")
        {
            Description = "Memory of one device to plan against, e.g. 80GB (default: cuda:0's for CUDA runs, the host's for CPU runs)",
        };
        var json = new Option<string?>("--json") { Description = "Also write the memory plan of --config to this JSON file" };
        var distributed = new Option<bool>("--distributed") { Description = "What this rank would use in a multi-node job (host, interface, address, backend); whether the master is reachable and its port free" };
        var command = new Command("doctor",
            "libtorch, native libraries, CUDA devices and a numerical self-test; checks what a run config needs and plans its memory per rank.");
        foreach (var option in new Option[] { config, worldSize, deviceMemory, json, distributed })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("doctor", () => Run(new Settings(parse.GetValue(config), parse.GetValue(worldSize),
            parse.GetValue(deviceMemory), parse.GetValue(json), parse.GetValue(distributed)))));
        return command;
    }

    private static int Run(Settings settings)
    {
        // Check the options and load the config first: bad input is a one-line error before any work.
        var configPath = settings.Config;
        var (ranks, memory) = PlanOptions(settings);
        var run = configPath is null ? null : RunConfig.Load(configPath);
        run?.Batch(ranks, configPath!);
        var c = CultureInfo.InvariantCulture;
        string version;
        try
        {
            version = TorchRuntime.Version;
        }
        catch (DllNotFoundException e)
        {
            // The one finding that ends the check: nothing else can be asked of libtorch.
            Console.WriteLine($"libpolyglot_torch   cannot be loaded: {e.Message}");
            Console.WriteLine("doctor: 1 problem(s)");
            return 1;
        }
        Console.WriteLine($"libtorch            {version} ({(Cuda.BuiltWithCuda ? "built with CUDA" : "CPU only: built without CUDA")})");
        LoadTokenizerLibrary();
        foreach (var (name, path) in NativeLibraries())
            Console.WriteLine($"{name,-19} {path}");

        var devices = Cuda.IsAvailable ? Enumerable.Range(0, Cuda.DeviceCount).Select(i => Cuda.DeviceProperties(i)).ToList() : [];
        Console.WriteLine($"CUDA                {(Cuda.IsAvailable ? $"available, {devices.Count} device(s)" : "not available")}");
        foreach (var d in devices)
        {
            var peak = DevicePeakFlops.Lookup(d.Name);
            var peakText = peak is null ? "peak FLOP/s unknown (MFU needs training.peak_tflops)"
                : string.Create(c, $"peak {peak.Bf16 / 1e12:F1} TFLOP/s bf16, {peak.Fp32 / 1e12:F1} fp32 ({peak.Device})");
            Console.WriteLine(string.Create(c,
                $"cuda:{d.Index,-14} {d.Name}, {d.TotalMemory / (double)(1L << 30):F1} GiB, compute capability {d.ComputeCapability}, " +
                $"{d.Multiprocessors} SMs, bf16 {(d.SupportsBf16 ? "yes" : "no")}, {peakText}"));
        }

        var targets = new List<(Device, string)> { (Device.Cpu, PrecisionConfig.Fp32) };
        foreach (var d in devices)
        {
            targets.Add((Device.Cuda(d.Index), PrecisionConfig.Fp32));
            if (d.SupportsBf16)
                targets.Add((Device.Cuda(d.Index), PrecisionConfig.Bf16));
        }
        var cases = DeviceSelfTest.Run(targets);
        foreach (var t in cases)
            Console.WriteLine(string.Create(c,
                $"self-test           {t.Device} {t.Precision} {t.Layout}: max relative error {t.MaxRelativeError:0.00e+00} ({t.WorstOutput}) " +
                $"vs float64 on cpu, limit {t.Tolerance:0e+00}: {(t.Passed ? "pass" : "FAIL")} ({t.Elapsed.TotalMilliseconds:F0} ms)"));

        var problems = cases.Where(t => !t.Passed)
            .Select(t => $"self-test failed on {t.Device} {t.Precision} ({t.Layout}: error {t.MaxRelativeError.ToString("0.00e+00", c)} > {t.Tolerance.ToString("0e+00", c)})")
            .ToList();
        if (run is not null)
        {
            problems.AddRange(ConfigNeeds(run, configPath!, devices));
            problems.AddRange(PlanMemory(run, configPath!, ranks, memory, settings.Json));
        }
        if (settings.Distributed)
            problems.AddRange(DoctorDistributed.Check());
        foreach (var problem in problems)
            Console.WriteLine($"doctor: {problem}");
        Console.WriteLine(problems.Count == 0
            ? $"doctor: ok{(run is null ? "" : $" ({configPath} can run here)")}"
            : $"doctor: {problems.Count} problem(s)");
        return problems.Count == 0 ? 0 : 1;
    }

    // What the config asks of the machine and is missing; empty when it can run here.
    private static IEnumerable<string> ConfigNeeds(RunConfig run, string path, IReadOnlyList<CudaDeviceProperties> devices)
    {
        var device = run.Training.Device;
        var cuda = devices.Count > 0;
        if (device == "cuda" && !cuda)
            yield return $"{path}: training.device = cuda, but no CUDA device is available " +
                         $"({(Cuda.BuiltWithCuda ? "libtorch has CUDA, but no device is visible" : "libpolyglot_torch is built without CUDA; build it against a CUDA libtorch, see docs/torch.md")})";
        if (run.Precision.Compute == PrecisionConfig.Bf16)
        {
            // The trainer runs on cuda:0 (auto picks it when CUDA is available).
            if (!cuda)
                yield return $"{path}: precision.compute = bf16 needs a CUDA device, and none is available";
            else if (!devices[0].SupportsBf16)
                yield return $"{path}: precision.compute = bf16 needs compute capability 8.0 or later; cuda:0 ({devices[0].Name}) has {devices[0].ComputeCapability}";
        }
    }

    // The plan options make sense with a config only; the world size and memory are read here, once.
    private static (int Ranks, long? Memory) PlanOptions(Settings settings)
    {
        if (settings.Config is null && (settings.WorldSize is not null || settings.DeviceMemory is not null || settings.Json is not null))
            throw new ArgumentException("--world-size, --device-memory and --json plan the memory of a run: add --config FILE");
        var ranks = settings.WorldSize ?? 1;
        if (ranks < 1)
            throw new ArgumentException($"--world-size = {ranks}: give the number of ranks to plan for, 1 or more");
        try
        {
            return (ranks, settings.DeviceMemory is null ? null : ByteSize.Parse(settings.DeviceMemory));
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--device-memory: {e.Message}", e);
        }
    }

    // Prints the memory plan per rank (and writes its JSON form); a plan that does not fit is a problem.
    private static IEnumerable<string> PlanMemory(RunConfig run, string path, int ranks, long? memory, string? json)
    {
        var plan = new MemoryPlanner(run, PlanTarget.Resolve(run, memory)).Plan(ranks);
        foreach (var line in MemoryPlanText.Lines(plan))
            Console.WriteLine(line);
        if (json is not null)
        {
            MemoryPlanJson.Write(plan, json);
            Console.WriteLine($"memory plan         written to {json}");
        }
        if (plan.Fits == false)
            yield return $"{path} does not fit on {ranks} rank{(ranks == 1 ? "" : "s")}: peak {ByteSize.Format(plan.Total)} per rank, " +
                         $"{ByteSize.Format(plan.Usable!.Value)} usable" +
                         (plan.Suggestion is { } s ? $"; smallest change that fits: {s.Change}" : "; no change in the search fits");
    }

    // libpolyglot_spm is loaded on first use; load it now (as P/Invoke would) so that its path shows.
    private static void LoadTokenizerLibrary()
    {
        if (!NativeLibrary.TryLoad("polyglot_spm", typeof(SentencePieceTokenizer).Assembly, null, out _))
            Console.WriteLine("libpolyglot_spm     not found (tokenizer training and encoding will fail; scripts/setup.sh builds it)");
    }

    // The shims and libtorch's own libraries, from the process's memory map (Linux): the files
    // actually loaded, wherever the loader found them.
    private static IEnumerable<(string Name, string Path)> NativeLibraries()
    {
        if (!File.Exists("/proc/self/maps"))
            return [];
        string[] wanted = ["libpolyglot_torch", "libpolyglot_spm", "libtorch_cpu", "libtorch_cuda", "libc10.", "libc10_cuda", "libsentencepiece."];
        return File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? line[i..] : null)
            .OfType<string>()
            .Distinct()
            .Select(path => (Name: Path.GetFileName(path), Path: path))
            .Where(lib => wanted.Any(w => lib.Name.StartsWith(w, StringComparison.Ordinal)))
            .Select(lib => (lib.Name[..lib.Name.IndexOf(".so", StringComparison.Ordinal)], lib.Path))
            .OrderBy(lib => Array.FindIndex(wanted, w => lib.Path.Contains(w, StringComparison.Ordinal)));
    }
}
