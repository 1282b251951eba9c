using PolyGlot.Cli.Progress;
using PolyGlot.Data.Loading;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Imported;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Evaluation;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Planning;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// Everything <c>polyglot train</c> sets up around the trainer: the tokenizer check, the data
/// plan, the held-out set, the device, signal handling and the progress display.
/// </summary>
internal sealed class TrainSession : IDisposable
{
    private readonly RunConfig _config;
    private readonly LoaderPlan _plan;
    private readonly TrainerOptions _options;
    private readonly Evaluator? _evaluator;
    private readonly StopSignal _stop = new();

    private TrainSession(RunConfig config, LoaderPlan plan, TrainerOptions options, Evaluator? evaluator)
    {
        (_config, _plan, _options, _evaluator) = (config, plan, options, evaluator);
        Observer = new TrainObserver(config);
    }

    public TrainObserver Observer { get; }

    /// <summary>
    /// Checks tokenizer and shards and resolves the data plan; on the CPU uses <paramref name="threads"/>
    /// for libtorch (default: the cores divided among the ranks on this node).
    /// </summary>
    public static TrainSession Prepare(RunConfig config, string resume, long? maxSteps, int? threads, Device device, DataParallel? parallel)
    {
        using var tokenizer = TokenizerLoader.Load(config.Tokenizer.Path);
        // Imported models may carry more rows than their tokenizer has ids (vocabularies padded to a multiple of 64 or 128).
        if (tokenizer.VocabSize > config.Model.VocabSize)
            throw new ArgumentException(
                $"model.vocab_size = {config.Model.VocabSize}: must be at least the tokenizer's vocabulary ({tokenizer.VocabSize} ids in {config.Tokenizer.Path}).");
        var sha = tokenizer.ComputeSha256();
        config.Data.CheckTokenizer(sha);
        var plan = DataPipeline.Resolve(config.Data, config.TotalSteps);
        if (!device.IsCuda)
            TorchRuntime.Threads = threads ?? Math.Max(1, Environment.ProcessorCount / (parallel?.Launch.LocalWorldSize ?? 1));
        Serilog.Log.Information("train: device {Device}, libtorch {Version}, {Threads} intra-op threads, {Sources} data sources, {Languages} languages",
            device.ToString(), TorchRuntime.Version, TorchRuntime.Threads, plan.Sources.Count, plan.Languages.Codes.Count);
        if (parallel is null || parallel.Rank == 0)
            LogMemoryPlan(config, device, parallel?.WorldSize ?? 1);
        var options = new TrainerOptions
        {
            RunDirectory = config.Logging.RunDir,
            Device = device,
            Resume = ResumeRequest.Parse(resume),
            MaxSteps = maxSteps,
            TokenizerSha256 = sha,
            PeakFlopsPerSecond = DevicePeakFlops.ForDevice(device, config.Precision.Compute, config.Training.PeakTflops),
            Parallel = parallel,
            InjectNonFiniteAtSteps = FaultInjection.NonFiniteSteps(),
        };
        return new TrainSession(config, plan, options, BuildEvaluator(config, tokenizer));
    }

    // The memory plan per rank in short (polyglot doctor --config prints it whole), a warning when it does not fit.
    private static void LogMemoryPlan(RunConfig config, Device device, int ranks)
    {
        var plan = new MemoryPlanner(config, PlanTarget.Resolve(config, deviceMemory: null, device)).Plan(ranks);
        foreach (var line in MemoryPlanText.Summary(plan))
            Serilog.Log.Write(plan.Fits == false ? Serilog.Events.LogEventLevel.Warning : Serilog.Events.LogEventLevel.Information,
                "train: {Line}", line);
    }

    public TrainingOutcome Run()
    {
        var outcome = TrainingThread.Run(() =>
        {
            using var run = TrainingRun.Open(_config, _plan, new ParquetShardReader(), _options, Observer, _evaluator);
            LogOptimizerState(run);
            var progress = new TrainingProgressOptions(_config.Name, _config.TotalSteps, run.Step, _config.Logging.LogEverySteps);
            var outcome = run.IsMainRank
                ? TrainingProgress.Run(progress, display =>
                {
                    Observer.Display = display;
                    return run.Run(_stop.Token);
                }, line => Serilog.Log.Information("{Line}", line))
                : run.Run(_stop.Token);   // rank 0 shows the progress line
            if (run.HeldBytes is { } held)
                Serilog.Log.Information("train: held at most {MB:0.000} MB of parameters, gradients and AdamW state at the end of a backward",
                    held / 1e6);
            return outcome;
        });
        if (_stop.Received is { } signal)
            Serilog.Log.Warning("train: stopped by {Signal} after step {Step}; checkpoint {Checkpoint}. Run the same command to continue.",
                signal.ToString(), outcome.Step, outcome.Checkpoint ?? "(none)");
        return outcome;
    }

    private void LogOptimizerState(TrainingRun run)
    {
        if (_options.Parallel is not { } parallel)
            return;
        var ranks = parallel.WorldSize;
        Serilog.Log.Information(run.OptimizerStateSharded
                ? "train: AdamW state on this rank: {MB:0.0} MB (a 1/{Ranks} part; {Strategy})"
                : "train: AdamW state on this rank: {MB:0.0} MB (whole, replicated on each of {Ranks} ranks; training.distributed.zero: 1, 2 or 3 shards it)",
            run.OptimizerStateBytes / 1e6, ranks, run.OptimizerStrategy);
    }

    public static void Summarize(RunConfig config, TrainingOutcome outcome, TrainObserver observer)
    {
        var total = config.TotalSteps;
        switch (outcome.End)
        {
            case TrainingEnd.AlreadyComplete:
                Serilog.Log.Information("train: run '{Name}' is already complete ({Step}/{Total} steps, checkpoint {Checkpoint}); nothing to do. " +
                    "To train again from scratch use --resume none with another --run-dir.", config.Name, outcome.Step, total, outcome.Checkpoint);
                return;
            case TrainingEnd.ReachedMaxSteps:
                Serilog.Log.Information("train: stopped at --max-steps after step {Step}/{Total}; checkpoint {Checkpoint}. Run again to continue.",
                    outcome.Step, total, outcome.Checkpoint);
                break;
            case TrainingEnd.Completed:
                Serilog.Log.Information("train: run '{Name}' complete: {Step}/{Total} steps; final checkpoint {Checkpoint}",
                    config.Name, outcome.Step, total, outcome.Checkpoint);
                break;
        }
        observer.LogSummary(outcome);
    }

    public void Dispose() => _stop.Dispose();

    private static Evaluator? BuildEvaluator(RunConfig config, ITokenizer tokenizer)
    {
        if (config.Eval.EverySteps <= 0)
            return null;
        var rows = config.Eval.MaxBatches * config.Training.MicroBatchSize;
        var set = HeldOutSet.FromSources(config.Eval.Sources, tokenizer, config.Data.SeqLen, rows);
        Serilog.Log.Information("train: held-out evaluation every {Every} steps on {Languages} languages ({Rows} rows of {Length} tokens each at most)",
            config.Eval.EverySteps, set.Languages.Count, rows, config.Data.SeqLen + 1);
        return new Evaluator(set, config.Training.MicroBatchSize);
    }
}
