using System.Diagnostics;
using System.Text.Json;
using PolyGlot.Data.Loading;
using PolyGlot.Tokenization.Imported;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Hosting;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// One process of <c>polyglot bench checkpoint</c> (alone, or one rank under <c>polyglot launch</c>):
/// builds the run of the config through <see cref="TrainingRun"/>, the class <c>train</c> runs, and
/// lets it train a step and save after every step (<c>checkpointing.every_steps: 1</c>), so each
/// save takes the path a run's saves take (the sharded writer at ZeRO stages 1-3 over a group, one
/// file set otherwise); then times resuming from the last one against opening the same run fresh.
/// Writes its figures to <c>rank-R.json</c> in the benchmark's directory.
/// </summary>
internal static class BenchCheckpointRank
{
    private static readonly TimeSpan SamplePeriod = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The config as the benchmark trains it on <paramref name="world"/> ranks: the model,
    /// optimizer and checkpoint settings as given, at ZeRO <paramref name="zero"/>, one sequence per
    /// rank per step (what a checkpoint holds does not depend on the batch, and the steps between
    /// saves stay short), a save after every step, run directory under <paramref name="directory"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The schedule is shorter than the saves asked for.</exception>
    public static RunConfig Config(string path, int world, int zero, int saves, string directory)
    {
        var config = RunConfig.Load(path);
        config.Training.Distributed.Zero = zero;
        config.Data.GlobalBatchSize = world;
        config.Training.MicroBatchSize = 1;
        config.Logging.RunDir = Path.Combine(directory, "run");
        config.Checkpointing.Dir = "";
        config.Checkpointing.EverySteps = 1;
        config.Eval.EverySteps = 0;
        config.Batch(world, path);
        if (config.TotalSteps < saves)
            throw new ArgumentException($"--repeats: {saves} saves (one untimed first) need {saves} steps, but {path} schedules {config.TotalSteps}; give fewer repeats.");
        return config;
    }

    /// <summary>Measures this process's saves and loads and writes them to <paramref name="directory"/>/rank-R.json.</summary>
    public static int Run(string configPath, int zero, int repeats, string directory, int threads)
    {
        var launch = LaunchEnvironment.FromProcess();
        var config = Config(configPath, launch?.WorldSize ?? 1, zero, repeats + 1, directory);
        var device = DeviceSelection.Resolve(config.Training.Device, launch?.LocalRank ?? 0);
        if (!device.IsCuda)
            TorchRuntime.Threads = threads;
        using var parallel = launch is null ? null : DataParallel.Join(launch, config.Training.Distributed, device);
        string sha;
        using (var tokenizer = TokenizerLoader.Load(config.Tokenizer.Path))
            sha = tokenizer.ComputeSha256();
        config.Data.CheckTokenizer(sha);
        var options = new TrainerOptions
        {
            RunDirectory = config.Logging.RunDir, Device = device, Resume = new ResumeRequest(ResumeMode.None),
            MaxSteps = repeats + 1, TokenizerSha256 = sha, Parallel = parallel,
        };
        var plan = DataPipeline.Resolve(config.Data, config.TotalSteps);
        var figures = TrainingThread.Run(() => Measure(config, plan, options, repeats));
        File.WriteAllText(Path.Combine(directory, $"rank-{parallel?.Rank ?? 0}.json"), JsonSerializer.Serialize(figures, BenchCheckpointReport.Json));
        return 0;
    }

    private static RankFigures Measure(RunConfig config, LoaderPlan plan, TrainerOptions options, int repeats)
    {
        var saves = MeasureSaves(config, plan, options, repeats);
        var (opens, loads, loadCpu) = MeasureLoads(config, plan, options, repeats);
        var checkpoint = new CheckpointStore(config.Checkpointing.ResolveDir(options.RunDirectory)).List()[0].Directory;
        var rank = options.Parallel?.Rank ?? 0;
        return saves with
        {
            OpenSeconds = opens, LoadSeconds = loads, LoadCpuSeconds = loadCpu,
            WrittenBytes = WrittenBytes(checkpoint, rank, options.Parallel?.WorldSize ?? 1),
            CheckpointBytes = Directory.GetFiles(checkpoint).Sum(f => new FileInfo(f).Length),
        };
    }

    // Trains repeats + 1 steps with a save after each; the first save is untimed (it runs code the
    // process has not run yet). Rank 0 sees where each save begins and ends (after the step's
    // report, until the checkpoint is announced; every rank leaves a save at its final agreement).
    private static RankFigures MeasureSaves(RunConfig config, LoaderPlan plan, TrainerOptions options, int repeats)
    {
        var observer = new SaveWindows();
        var memory = ResidentMemorySampler.Start(SamplePeriod);
        string strategy;
        long stateBytes, largest, held;
        using (memory)
        using (var run = TrainingRun.Open(config, plan, new ParquetShardReader(), options, observer))
        {
            run.Run(CancellationToken.None);
            (strategy, stateBytes, held) = (run.OptimizerStrategy, run.OptimizerStateBytes, run.HeldBytes ?? 0);
            largest = run.Model.Parameters.Max(p => p.Tensor.ByteCount);
        }
        var windows = Share(options.Parallel, observer.Windows, repeats + 1).Skip(1).ToList();
        var during = windows.Select(w => memory.During(w.Start, w.End)).ToList();
        return new RankFigures
        {
            Rank = options.Parallel?.Rank ?? 0, World = options.Parallel?.WorldSize ?? 1, Zero = config.Training.Distributed.Zero,
            Strategy = strategy, MemoryMethod = memory.Method, StateBytes = stateBytes, HeldBytes = held, LargestTensorBytes = largest,
            SaveSeconds = windows.Select(w => Stopwatch.GetElapsedTime(w.Start, w.End).TotalSeconds).ToList(),
            SaveGrowthBytes = during.Select(d => d.GrowthBytes).ToList(),
            SaveCpuSeconds = during.Select(d => d.CpuSeconds).ToList(),
        };
    }

    // Load time: opening the run resumed from the newest checkpoint (find, verify, read this rank's
    // part, restore) minus opening it fresh (build model and optimizer, agree over the group), both
    // timed here each repeat.
    private static (List<double> Opens, List<double> Loads, List<double> LoadCpu) MeasureLoads(RunConfig config, LoaderPlan plan,
        TrainerOptions options, int repeats)
    {
        var (opens, loads, cpu) = (new List<double>(), new List<double>(), new List<double>());
        for (var i = 0; i < repeats; i++)
        {
            var (fresh, freshCpu) = TimeOpen(config, plan, options with { Resume = new ResumeRequest(ResumeMode.None) }, 0);
            var (resumed, resumedCpu) = TimeOpen(config, plan, options with { Resume = new ResumeRequest(ResumeMode.Auto) }, repeats + 1);
            opens.Add(fresh);
            loads.Add(resumed - fresh);
            cpu.Add(resumedCpu - freshCpu);
        }
        return (opens, loads, cpu);
    }

    private static (double Seconds, double CpuSeconds) TimeOpen(RunConfig config, LoaderPlan plan, TrainerOptions options, long expectedStep)
    {
        options.Parallel?.Barrier();
        var cpu = ProcessCounters.Read();
        var clock = Stopwatch.StartNew();
        var run = TrainingRun.Open(config, plan, new ParquetShardReader(), options, new SaveWindows());
        var seconds = clock.Elapsed.TotalSeconds;
        var used = ProcessCounters.Read() - cpu;
        using (run)
        {
            if (run.Step != expectedStep)
                throw new InvalidOperationException($"the run opened at step {run.Step}, not {expectedStep}: the resume did not take the benchmark's checkpoint");
        }
        return (seconds, used.UserSeconds + used.KernelSeconds);
    }

    // Rank 0's windows, as every rank needs them to read its own memory samples; the ranks of one
    // node share the monotonic clock that Stopwatch reads.
    private static List<(long Start, long End)> Share(DataParallel? parallel, List<(long Start, long End)> windows, int count)
    {
        var words = new long[2 * count];
        if (parallel is null || parallel.Rank == 0)
        {
            if (windows.Count != count)
                throw new InvalidOperationException($"the run announced {windows.Count} checkpoints, not {count}");
            for (var i = 0; i < count; i++)
                (words[2 * i], words[2 * i + 1]) = windows[i];
        }
        var all = parallel?.Gather(words) ?? words;
        return Enumerable.Range(0, count).Select(i => (all[2 * i], all[2 * i + 1])).ToList();
    }

    // The bytes this rank wrote: its own part of a sharded checkpoint, or every tensor file when one process writes them.
    private static long WrittenBytes(string checkpoint, int rank, int world)
    {
        var own = new FileInfo(Path.Combine(checkpoint, ShardIndex.RankFile(rank, world)));
        if (own.Exists)
            return own.Length;
        return rank == 0 ? Directory.GetFiles(checkpoint, "*.safetensors").Sum(f => new FileInfo(f).Length) : 0;
    }

    /// <summary>Where each save began and ended on this process (seen on rank 0 only: the trainer reports there).</summary>
    private sealed class SaveWindows : ITrainingObserver
    {
        private long _stepEnded;

        public List<(long Start, long End)> Windows { get; } = [];

        public void OnStart(TrainingStart start) { }

        public void OnStep(StepReport report) => _stepEnded = Stopwatch.GetTimestamp();

        public void OnEval(EvalMetrics metrics) { }

        public void OnCheckpoint(long step, string directory) => Windows.Add((_stepEnded, Stopwatch.GetTimestamp()));

        public void OnWarning(string message) => Serilog.Log.Warning("bench checkpoint: {Message}", message);
    }
}
