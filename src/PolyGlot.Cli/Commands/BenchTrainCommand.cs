using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyGlot.Data.Loading;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Model.Reference;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Guards;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Optimization;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench train --config FILE</c>: times the trainer's own step (<see cref="TrainingStep"/>:
/// forward and backward over the micro-batches, the step's one device read, clipping, the loss
/// guard, AdamW) of a run configuration's model on random tokens, then the same
/// model's step in PyTorch eager (scripts/reference/model_reference.py) in the same run, and prints
/// tokens/s, step time, MFU on CUDA and the C#/PyTorch step-time ratio. C# and PyTorch are timed
/// in alternating rounds and each side's fastest round counts, so that load from other processes
/// on a shared machine penalises neither side. On the CPU each side runs with its memory reused
/// (PolyGlot's CPU tensor cache; glibc told to keep freed memory for PyTorch) and with its default
/// allocator, and a step's page faults and kernel time are printed beside its time, so that the
/// comparison is fair both ways and shows what the allocator is worth (docs/training.md, "CPU memory").
/// </summary>
internal static class BenchTrainCommand
{
    private const string Script = "scripts/reference/model_reference.py";

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Run configuration (YAML) whose model, micro-batch and precision are timed", Required = true };
        var steps = new Option<int>("--steps") { Description = "Timed steps (the median is reported)", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first", DefaultValueFactory = _ => 2 };
        var accumulation = new Option<int>("--accumulation") { Description = "Micro-batches per step", DefaultValueFactory = _ => 1 };
        var rounds = new Option<int>("--rounds")
        {
            Description = "Alternating rounds of C# and PyTorch timing; the fastest round's median of each is reported (robust to other load)",
            DefaultValueFactory = _ => 3,
        };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads on both sides (default: libtorch's)" };
        var python = new Option<string>("--python") { Description = "Python with PyTorch; 'none' skips the comparison", DefaultValueFactory = _ => "/usr/bin/python3" };
        var checkpointing = new Option<bool?>("--activation-checkpointing")
        {
            Description = "Override training.activation_checkpointing of the config (true/false) to compare time and peak memory",
        };
        var allocator = new Option<AllocatorChoice>("--allocator")
        {
            Description = "CPU memory policy of both sides: reuse (PolyGlot's tensor cache; PyTorch with glibc keeping freed memory), default, or both",
            DefaultValueFactory = _ => AllocatorChoice.Both,
        };
        var perNode = new Option<int?>("--nproc-per-node")
        {
            Description = "Instead: train the config for real as 1 process and as N local ranks, and print tokens/s and scaling efficiency",
        };
        var zero = new Option<string?>("--zero")
        {
            Description = "With --nproc-per-node: train the N ranks at each of these ZeRO stages (e.g. 0,1,2,3; stage 0 is always the reference) "
                          + "and print tokens/s and each rank's memory side by side",
        };
        var command = new Command("train", "Training step time and tokens/s of a config's model on synthetic data, against PyTorch eager.");
        foreach (var option in new Option[] { config, steps, warmup, accumulation, rounds, threads, python, checkpointing, allocator, perNode, zero })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("bench train", () => parse.GetValue(perNode) is { } ranks
            ? BenchTrainScaling.Run(parse.GetValue(config)!, ranks, parse.GetValue(steps), parse.GetValue(warmup),
                parse.GetValue(zero) is { } stages ? BenchCheckpointCommand.Counts("--zero", stages, 0, 3, "0,1,2,3") : null)
            : parse.GetValue(zero) is not null
            ? throw new ArgumentException("--zero compares ZeRO stages across ranks: give --nproc-per-node too, e.g. --nproc-per-node 2 --zero 0,1,2,3.")
            : Run(new Settings(parse.GetValue(config)!, parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(accumulation),
                parse.GetValue(rounds), parse.GetValue(threads), parse.GetValue(python)!, parse.GetValue(checkpointing), parse.GetValue(allocator)))));
        return command;
    }

    private sealed record Settings(string Config, int Steps, int Warmup, int Accumulation, int Rounds, int? Threads, string Python,
        bool? ActivationCheckpointing, AllocatorChoice Allocator);

    /// <summary>Which CPU memory policies <c>--allocator</c> times.</summary>
    internal enum AllocatorChoice { Both, Reuse, Default }

    // Freed memory reused (PolyGlot: CpuTensorCache; PyTorch: glibc keeps what is freed, the same
    // effect for a process whose step runs on its main thread) or each side's default allocator.
    private enum Policy { Reuse, Default }

    // glibc's variables for "never unmap freed memory, never trim the heap" (mallopt(3)).
    private static readonly Dictionary<string, string> PythonReuse = new()
    {
        ["MALLOC_MMAP_MAX_"] = "0", ["MALLOC_TRIM_THRESHOLD_"] = "68719476736",
    };

    // PeakFlops: the MFU denominator (DevicePeakFlops); null on the CPU or for a GPU the table does not know.
    private sealed record Shape(ModelConfig Model, int MicroBatch, int SeqLen, int Accumulation, Device Device, ComputePrecision Precision, double? PeakFlops)
    {
        public long TokensPerStep => (long)MicroBatch * SeqLen * Accumulation;
    }

    private static int Run(Settings settings)
    {
        if (settings.Steps < 1 || settings.Warmup < 0 || settings.Accumulation < 1 || settings.Rounds < 1 || settings.Threads is < 1)
            throw new ArgumentException("--steps, --accumulation and --rounds must be >= 1, --warmup >= 0, --threads >= 1.");
        if (settings.Threads is { } count)
            TorchRuntime.Threads = count;
        var run = RunConfig.Load(settings.Config);
        if (settings.ActivationCheckpointing is { } recompute)
            run.Training.ActivationCheckpointing = recompute;
        var device = run.Training.Device == "cpu" || !Cuda.IsAvailable ? Device.Cpu : Device.Cuda(0);
        var precision = device.IsCuda ? ComputePrecision.Parse(run.Precision.Compute) : ComputePrecision.Float32;
        var peak = DevicePeakFlops.ForDevice(device, run.Precision.Compute, run.Training.PeakTflops);
        var shape = new Shape(run.Model, run.Training.MicroBatchSize, run.Data.SeqLen, settings.Accumulation, device, precision, peak);
        Serilog.Log.Information("bench train: {Name} ({Layout}, {Parameters:N0} parameters), {Micro} x {SeqLen} tokens x {Accumulation} micro-batches, " +
            "{Device} {DType}, activation checkpointing {Checkpointing}, libtorch {Version}, {Threads} thread(s)", run.Name, run.Model.Layout, ModelSize.Of(run.Model).Total,
            shape.MicroBatch, shape.SeqLen, shape.Accumulation, device.ToString(), precision.DType.ToString(),
            run.Training.ActivationCheckpointing ? "on" : "off", TorchRuntime.Version, TorchRuntime.Threads);
        using var model = TrainingModel.Create(run, shape.Device);
        model.Precision = shape.Precision;
        using var optimizer = new TrainingOptimizer(model.Parameters, run.Optimizer);
        using var step = new TrainingStep(model, optimizer, new LossGuard(run.Guard), shape.MicroBatch, shape.Accumulation, shape.SeqLen, languages: 1);
        var tokens = RandomTokens(shape);
        var (csharp, python, peerFailure) = TimeRounds(step, tokens, run.Optimizer.Lr, shape, settings);
        BenchTrainReport.Print(shape.TokensPerStep, ModelSize.FlopsPerToken(shape.Model, shape.SeqLen), shape.PeakFlops, shape.Precision.IsReduced,
            shape.Device, Labelled(csharp, shape), peerFailure is null ? Labelled(python, shape) : new Dictionary<string, StepSample>());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"C#      peak memory of one step {PeakStepBytes(step, tokens, run.Optimizer.Lr, shape) / 1e6:N1} MB ({(shape.Device.IsCuda ? "CUDA allocator" : "libtorch CPU allocations on the stepping thread")}, beyond the weights)"));
        if (peerFailure is null)
            return 0;
        Console.WriteLine($"PyTorch peer failed: {peerFailure}");
        return 1;
    }

    // On a GPU the CPU allocator is not on the step's path: one policy, each side's own.
    private static Policy[] Policies(Shape shape, AllocatorChoice choice) => shape.Device.IsCuda ? [Policy.Default] : choice switch
    {
        AllocatorChoice.Reuse => [Policy.Reuse],
        AllocatorChoice.Default => [Policy.Default],
        _ => [Policy.Reuse, Policy.Default],
    };

    // Each side's fastest round per policy; a failed PyTorch peer ends its rounds, not the C# ones.
    private static (Dictionary<Policy, StepSample> CSharp, Dictionary<Policy, StepSample> Python, string? PeerFailure) TimeRounds(
        TrainingStep step, int[] tokens, double learningRate, Shape shape, Settings settings)
    {
        var policies = Policies(shape, settings.Allocator);
        var cacheWasOn = CpuTensorCache.Enabled;
        var csharp = new Dictionary<Policy, StepSample>();
        var python = new Dictionary<Policy, StepSample>();
        string? peerFailure = null;
        try
        {
            for (var round = 0; round < settings.Rounds; round++)
                foreach (var policy in policies)
                {
                    if (!shape.Device.IsCuda)
                    {
                        CpuTensorCache.Enabled = policy == Policy.Reuse;
                        // The default policy's rounds get the memory the cache held; reuse rounds
                        // keep what the previous reuse round left.
                        if (policy == Policy.Default)
                            CpuTensorCache.Trim();
                    }
                    // After a change of policy one untimed step refills the emptied cache.
                    var warm = round == 0 ? settings.Warmup : Math.Min(settings.Warmup, policies.Length > 1 ? 1 : 0);
                    KeepFastest(csharp, policy, TimeCSharp(step, tokens, learningRate, shape, settings, warm));
                    if (settings.Python == "none" || peerFailure is not null)
                        continue;
                    // The other process needs the device memory this one's allocator keeps cached.
                    if (shape.Device.IsCuda)
                        Cuda.EmptyCache();
                    try
                    {
                        KeepFastest(python, policy, TimePython(shape, settings, policy == Policy.Reuse && !shape.Device.IsCuda ? PythonReuse : null));
                    }
                    catch (InvalidOperationException e)
                    {
                        // This side's figures still count; the command fails after printing them.
                        peerFailure = ReferenceScripts.LastLine(e.Message);
                    }
                }
        }
        finally
        {
            if (!shape.Device.IsCuda)
                CpuTensorCache.Enabled = cacheWasOn;
        }
        return (csharp, python, peerFailure);
    }

    // Bytes allocated at the peak of one more step, above what was allocated before it (weights,
    // optimizer state): activations, gradients and temporaries.
    private static long PeakStepBytes(TrainingStep step, int[] tokens, double learningRate, Shape shape)
    {
        if (shape.Device.IsCuda)
        {
            Cuda.Synchronize();
            var before = Cuda.MemoryStats(Math.Max(shape.Device.Index, 0)).Allocated;
            Cuda.ResetPeakMemory(Math.Max(shape.Device.Index, 0));
            RunStep(step, tokens, learningRate, shape);
            return Cuda.MemoryStats(Math.Max(shape.Device.Index, 0)).PeakAllocated - before;
        }
        using var memory = CpuMemoryTracker.Start();
        RunStep(step, tokens, learningRate, shape);
        return memory.PeakBytes;
    }

    private static void RunStep(TrainingStep step, int[] tokens, double learningRate, Shape shape)
    {
        using (var batch = Batch.OfTokens(tokens, shape.MicroBatch * shape.Accumulation, shape.SeqLen + 1, "random"))
            step.Run(batch, learningRate);
        if (shape.Device.IsCuda)
            Cuda.Synchronize();  // the step's read waits for backward, not for the optimizer's kernels
    }

    private static Dictionary<string, StepSample> Labelled(Dictionary<Policy, StepSample> samples, Shape shape) =>
        samples.ToDictionary(p => shape.Device.IsCuda ? "" : p.Key == Policy.Reuse ? "reuse" : "default", p => p.Value);

    private static void KeepFastest(Dictionary<Policy, StepSample> best, Policy policy, StepSample sample)
    {
        if (!best.TryGetValue(policy, out var seen) || sample.Seconds < seen.Seconds)
            best[policy] = sample;
    }

    // Median step time of one round: the trainer's own step (TrainingStep: micro-batches, the one
    // device read, clipping, guard, AdamW) on the same random tokens every step; the process's page
    // faults and CPU time over the timed steps.
    private static StepSample TimeCSharp(TrainingStep step, int[] tokens, double learningRate, Shape shape, Settings settings, int warmup)
    {
        var samples = new double[settings.Steps];
        var before = default(ProcessCounters);
        for (var i = -warmup; i < settings.Steps; i++)
        {
            if (i == 0)
                before = ProcessCounters.Read();
            var start = Stopwatch.GetTimestamp();
            RunStep(step, tokens, learningRate, shape);
            if (i >= 0)
                samples[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        var counters = (ProcessCounters.Read() - before).PerStep(settings.Steps);
        Array.Sort(samples);
        return new StepSample(samples[samples.Length / 2], counters);
    }

    private static int[] RandomTokens(Shape shape)
    {
        var random = new Random(1234);
        var tokens = new int[shape.MicroBatch * shape.Accumulation * (shape.SeqLen + 1)];
        for (var i = 0; i < tokens.Length; i++)
            tokens[i] = random.Next(shape.Model.VocabSize);
        return tokens;
    }

    private static StepSample TimePython(Shape shape, Settings settings, IReadOnlyDictionary<string, string>? environment)
    {
        var spec = new JsonObject
        {
            ["config"] = ModelExchange.ConfigJson(shape.Model),
            ["batch"] = shape.MicroBatch, ["seq_len"] = shape.SeqLen, ["steps"] = settings.Steps, ["warmup"] = settings.Warmup,
            ["accumulation"] = shape.Accumulation, ["threads"] = TorchRuntime.Threads,
            ["device"] = shape.Device.IsCuda ? "cuda" : "cpu", ["dtype"] = shape.Precision.IsReduced ? "bfloat16" : "float32",
        };
        var specPath = Path.Combine(Path.GetTempPath(), $"polyglot-bench-train-{Guid.NewGuid():N}.json");
        File.WriteAllText(specPath, spec.ToJsonString());
        try
        {
            Serilog.Log.Information("bench train: timing PyTorch eager ({Python} {Script})", settings.Python, Script);
            var output = ReferenceScripts.RunPython(settings.Python, Script, ["bench", specPath], environment);
            using var json = JsonDocument.Parse(output);
            var result = json.RootElement;
            return new StepSample(result.GetProperty("step_seconds").GetDouble(), new ProcessCounters(
                (long)result.GetProperty("minor_faults_per_step").GetDouble(), result.GetProperty("kernel_seconds_per_step").GetDouble(),
                result.GetProperty("user_seconds_per_step").GetDouble()));
        }
        finally
        {
            File.Delete(specPath);
        }
    }
}
