using System.Diagnostics;
using PolyGlot.Data.Loading;
using PolyGlot.Model;
using PolyGlot.Model.Layers;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Evaluation;
using PolyGlot.Training.Guards;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Optimization;
using PolyGlot.Training.Scheduling;

namespace PolyGlot.Training.Trainer;

/// <summary>
/// The training loop of one run: takes the global batch of each step from the data loader, runs
/// the <see cref="TrainingStep"/>, writes metrics, evaluates and checkpoints on schedule, and
/// stops cleanly (with a checkpoint) at the end of the schedule, at <c>--max-steps</c> or when
/// cancelled. Built by <see cref="Open"/>, which resumes from a checkpoint when one applies. Call
/// everything on one thread (<see cref="TrainingThread"/>).
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly RunConfig _config;
    private readonly LoaderPlan _plan;
    private readonly IShardReader _reader;
    private readonly TrainerOptions _options;
    private readonly ITrainingObserver _observer;
    private readonly Evaluator? _evaluator;
    private readonly TransformerModel _model;
    private readonly TrainingOptimizer _optimizer;
    private readonly LossGuard _guard;
    private readonly CheckpointStore _store;
    private readonly CheckpointCompatibility _compatibility;
    private readonly LearningRateSchedule _schedule;
    private readonly BatchGeometry _geometry;
    private readonly TrainerState _state;
    private readonly DataState? _resumedData;
    private readonly string? _resumedFrom;
    private MetricsWriter? _metrics;

    private TrainingRun(RunConfig config, LoaderPlan plan, IShardReader reader, TrainerOptions options, ITrainingObserver observer,
        Evaluator? evaluator)
    {
        (_config, _plan, _reader, _options, _observer, _evaluator) = (config, plan, reader, options, observer, evaluator);
        _geometry = config.Batch(worldSize: 1);
        _schedule = config.Schedule.Build(config.Optimizer.Lr, _geometry.TokensPerStep);
        _model = TransformerModel.Create(config.Model, options.Device, (ulong)config.Training.Seed);
        _model.Precision = ComputePrecision.Parse(config.Precision.Compute);
        _optimizer = new TrainingOptimizer(_model.Parameters, config.Optimizer);
        _guard = new LossGuard(config.Guard);
        _store = new CheckpointStore(config.Checkpointing.ResolveDir(options.RunDirectory), observer.OnWarning);
        _compatibility = CheckpointCompatibility.Of(config.Model, options.TokenizerSha256);
        _state = new TrainerState();
        var checkpoint = _store.Resolve(options.Resume);
        if (checkpoint is null)
            return;
        checkpoint.EnsureResumableBy(_compatibility);
        _resumedData = CheckpointBridge.Restore(checkpoint, _model, _optimizer);
        _plan.CheckCompatible(_resumedData);
        _state = checkpoint.Trainer;
        _guard.Restore(_state.LossWindow, _state.SkippedSteps, _state.ConsecutiveSkipped);
        _resumedFrom = checkpoint.Directory;
    }

    /// <summary>
    /// Builds the model and optimizer of <paramref name="config"/> and, unless
    /// <see cref="TrainerOptions.Resume"/> says none, restores the newest complete checkpoint
    /// (or the one named), skipping corrupt ones with a warning.
    /// </summary>
    /// <exception cref="CheckpointException">The named checkpoint is unusable, or the configuration changed what resuming needs (model shape, tokenizer).</exception>
    /// <exception cref="InvalidDataException">The checkpoint's data state belongs to another data configuration.</exception>
    public static TrainingRun Open(RunConfig config, LoaderPlan plan, IShardReader reader, TrainerOptions options, ITrainingObserver observer,
        Evaluator? evaluator = null) => new(config, plan, reader, options, observer, evaluator);

    /// <summary>The model being trained.</summary>
    public TransformerModel Model => _model;

    /// <summary>Steps complete so far.</summary>
    public long Step => _state.Step;

    /// <summary>Trains until the end of the schedule, <c>--max-steps</c>, or <paramref name="stop"/>.</summary>
    /// <exception cref="TrainingDivergedException">The loss guard skipped <c>max_skipped_steps</c> steps in a row.</exception>
    public TrainingOutcome Run(CancellationToken stop)
    {
        var total = _config.TotalSteps;
        if (_state.Step >= total)
            return new TrainingOutcome(TrainingEnd.AlreadyComplete, _state.Step, [], _resumedFrom);
        var last = Math.Min(total, _options.MaxSteps ?? total);
        _observer.OnStart(new TrainingStart(_state.Step + 1, total, last, _resumedFrom, _model.Parameters.Sum(p => p.NumEl),
            _geometry.TokensPerStep, _geometry.ToString()));
        using var loader = new DataLoader(_plan, _reader, _resumedData, prefetchBatches: _config.Data.PrefetchBatches);
        using var metrics = MetricsWriter.Open(Path.Combine(_options.RunDirectory, MetricsWriter.FileName), resumedAfterStep: _state.Step - 1);
        _metrics = metrics;
        var step = new TrainingStep(_model, _optimizer, _guard, _geometry.MicroBatchSize, _geometry.Accumulation, _config.Data.SeqLen);
        var meter = new ThroughputMeter();
        var losses = new List<double>();
        var checkpoint = _resumedFrom;
        while (_state.Step < last)
        {
            var result = TrainOneStep(loader, step, meter);
            losses.Add(result.Loss);
            if (_guard.ShouldStop)
                throw new TrainingDivergedException(_state.Step, _guard.ConsecutiveSkipped, result);
            MaybeEvaluate(last);
            var stopping = _state.Step == last || stop.IsCancellationRequested;
            if (stopping || _state.Step % _config.Checkpointing.EverySteps == 0)
                checkpoint = SaveCheckpoint(loader.State);
            if (stop.IsCancellationRequested && _state.Step < last)
                return new TrainingOutcome(TrainingEnd.Interrupted, _state.Step, losses, checkpoint);
        }
        var end = _state.Step == total ? TrainingEnd.Completed : TrainingEnd.ReachedMaxSteps;
        return new TrainingOutcome(end, _state.Step, losses, checkpoint);
    }

    /// <summary>Frees the model and the optimizer state.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }

    private StepResult TrainOneStep(DataLoader loader, TrainingStep step, ThroughputMeter meter)
    {
        var clock = Stopwatch.StartNew();
        using var batch = loader.Next();
        var tokensBefore = _state.TokensConsumed;
        var result = step.Run(batch, _schedule.At(_state.Step));
        var seconds = clock.Elapsed.TotalSeconds;
        meter.Record(_geometry.TokensPerStep, seconds);
        _state.Step++;
        _state.TokensConsumed = batch.StateAfter.TokensConsumed;
        _state.TokensPerLanguage = new SortedDictionary<string, long>(batch.StateAfter.TokensPerLanguage, StringComparer.Ordinal);
        _state.SkippedSteps = _guard.SkippedSteps;
        _state.ConsecutiveSkipped = _guard.ConsecutiveSkipped;
        _state.LossWindow = _guard.Window.ToList();
        _state.ElapsedSeconds += seconds;
        Report(batch, result, tokensBefore, seconds, meter);
        return result;
    }

    private void Report(Batch batch, StepResult result, long tokensBefore, double seconds, ThroughputMeter meter)
    {
        var metrics = StepReporting.Metrics(_state, batch, result, _plan, tokensBefore, seconds, meter,
            _model.Device.IsCuda ? _options.PeakFlopsPerSecond : null, _model.Config, _config.Data.SeqLen);
        _metrics?.Write(metrics);
        var note = result.Verdict switch
        {
            GuardVerdict.NonFinite => $"skipped: loss {result.Loss} / grad norm {result.GradNorm} is not finite",
            GuardVerdict.Spike => $"skipped: loss {result.Loss:F4} > {_config.Guard.SpikeFactor} x recent mean {_guard.WindowMean:F4}",
            _ => null,
        };
        _observer.OnStep(new StepReport(metrics, _config.TotalSteps, StepReporting.GroupShares(batch, _plan), note));
    }

    private void MaybeEvaluate(long last)
    {
        var every = _config.Eval.EverySteps;
        if (_evaluator is null || every <= 0 || (_state.Step % every != 0 && _state.Step != last))
            return;
        var metrics = _evaluator.Evaluate(_model, _state.Step - 1);
        _metrics?.Write(metrics);
        _observer.OnEval(metrics);
    }

    private string SaveCheckpoint(DataState data)
    {
        var checkpoint = CheckpointBridge.Capture(_model, _optimizer, _state, data, _config.Training.Seed, _config.ToYaml(), _compatibility);
        var directory = _store.Save(checkpoint, _config.Checkpointing.KeepLast);
        _observer.OnCheckpoint(_state.Step, directory);
        return directory;
    }
}
