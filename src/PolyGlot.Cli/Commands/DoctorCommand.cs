using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PolyGlot.Tokenization;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Diagnostics;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot doctor [--config FILE]</c>: what this machine offers a run. Prints the libtorch
/// version and whether the shim was built with CUDA, the native libraries loaded, the CUDA devices
/// (name, memory, compute capability, bf16, peak FLOP/s), then a numerical self-test on every
/// device (<see cref="DeviceSelfTest"/>). Exits 0 only when the self-test passes and, with
/// <c>--config</c>, the device and precision the config asks for are present.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run configuration (YAML) whose device and precision must be available" };
        var command = new Command("doctor", "libtorch, native libraries, CUDA devices and a numerical self-test; checks what a run config needs.");
        command.Options.Add(config);
        command.SetAction(parse => CommandErrors.Run("doctor", () => Run(parse.GetValue(config))));
        return command;
    }

    private static int Run(string? configPath)
    {
        // Load the config first: a bad path or key is a one-line error before any work.
        var run = configPath is null ? null : RunConfig.Load(configPath);
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
            problems.AddRange(ConfigNeeds(run, configPath!, devices));
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
