using System.Diagnostics;
using PolyGlot.Data.Loading;
using PolyGlot.Model;
using PolyGlot.Model.Layers;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;
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
/// everything on one thread (<see cref="TrainingThread"/>). With <see cref="TrainerOptions.Parallel"/>
/// every rank runs this loop in step with the others: each trains its slice of the global batch,
/// rank 0 alone reports, evaluates and writes metrics and checkpoints, and decisions that end or
/// save the run are agreed by all ranks first.
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
    private TrainerState _state;
    private readonly DataParallel? _parallel;
    private DataState? _resumedData;
    private string? _resumedFrom;
    private MetricsWriter? _metrics;

    private TrainingRun(RunConfig config, LoaderPlan plan, IShardReader reader, TrainerOptions options, ITrainingObserver observer,
        Evaluator? evaluator)
    {
        (_config, _plan, _reader, _options, _observer, _evaluator) = (config, plan, reader, options, observer, evaluator);
        _parallel = options.Parallel;
        _geometry = config.Batch(worldSize: _parallel?.WorldSize ?? 1);
        _schedule = config.Schedule.Build(config.Optimizer.Lr, _geometry.TokensPerStep);
        _model = TrainingModel.Create(config, options.Device);
        _optimizer = TrainingOptimizer.For(_model, config.Optimizer, _parallel, config.Training.Distributed.Zero);
        _guard = new LossGuard(config.Guard);
        _store = new CheckpointStore(config.Checkpointing.ResolveDir(options.RunDirectory), observer.OnWarning);
        _compatibility = CheckpointCompatibility.Of(config.Model, options.TokenizerSha256);
        _state = new TrainerState();
        ResumeFrom(_store.Resolve(options.Resume));
        if (_parallel is not null)
            AlignRanks(_parallel);
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

    /// <summary>Bytes of AdamW state this rank holds (falls as 1/N at ZeRO stages 1 to 3 over N ranks).</summary>
    public long OptimizerStateBytes => _optimizer.StateBytes;

    /// <summary>True when the optimizer state is sharded over the ranks (ZeRO stages 1 to 3).</summary>
    public bool OptimizerStateSharded => _parallel is not null && _config.Training.Distributed.Zero > 0;

    /// <summary>How gradients, optimizer state and parameters are kept over the ranks, for the log.</summary>
    public string OptimizerStrategy => _optimizer.Description;

    /// <summary>
    /// The most parameter, gradient and AdamW-state bytes this rank held at the end of a step's
    /// backward in this session (<see cref="TrainingOptimizer.HeldBytes"/>); null before a step.
    /// </summary>
    public long? HeldBytes { get; private set; }

    /// <summary>Steps complete so far.</summary>
    public long Step => _state.Step;

    /// <summary>True on the rank that reports and writes (rank 0, or the only process).</summary>
    public bool IsMainRank => _parallel is null || _parallel.Rank == 0;

    /// <summary>Trains until the end of the schedule, <c>--max-steps</c>, or <paramref name="stop"/>.</summary>
    /// <exception cref="TrainingDivergedException">The loss guard skipped <c>max_skipped_steps</c> steps in a row.</exception>
    public TrainingOutcome Run(CancellationToken stop)
    {
        var total = _config.TotalSteps;
        if (_state.Step >= total)
            return new TrainingOutcome(TrainingEnd.AlreadyComplete, _state.Step, [], _resumedFrom);
        var last = Math.Min(total, _options.MaxSteps ?? total);
        if (IsMainRank)
            _observer.OnStart(new TrainingStart(_state.Step + 1, total, last, _resumedFrom, _model.Parameters.Sum(p => p.NumEl),
            _geometry.TokensPerStep, _geometry.ToString()));
        using var loader = new DataLoader(_plan, _reader, _resumedData, _parallel?.Rank ?? 0, _geometry.WorldSize,
            prefetchBatches: _config.Data.PrefetchBatches);
        using var metrics = IsMainRank
            ? MetricsWriter.Open(Path.Combine(_options.RunDirectory, MetricsWriter.FileName), resumedAfterStep: _state.Step)
            : null;
        _metrics = metrics;
        using var step = new TrainingStep(_model, _optimizer, _guard, _geometry.MicroBatchSize, _geometry.Accumulation, _config.Data.SeqLen,
            _plan.Languages.Codes.Count, _parallel);
        var meter = new ThroughputMeter();
        var losses = new List<double>();
        var checkpoint = _resumedFrom;
        while (_state.Step < last)
        {
            var result = TrainOneStep(loader, step, meter, stop.IsCancellationRequested, last);
            losses.Add(result.Loss);
            if (_guard.ShouldStop)
                throw new TrainingDivergedException(_state.Step, _guard.ConsecutiveSkipped, result);
            MaybeEvaluate(last);
            var stopRequested = result.StopRequested;
            var stopping = _state.Step == last || stopRequested;
            if (stopping || _state.Step % _config.Checkpointing.EverySteps == 0)
                checkpoint = SaveCheckpoint(loader.State);
            if (stopRequested && _state.Step < last)
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

    private StepResult TrainOneStep(DataLoader loader, TrainingStep step, ThroughputMeter meter, bool stopRequested, long last)
    {
        var clock = Stopwatch.StartNew();
        using var batch = loader.Next();
        var tokensBefore = _state.TokensConsumed;
        var logging = _config.Logging.IsLoggingStep(_state.Step + 1, _config.TotalSteps) || _state.Step + 1 == last;
        var result = step.Run(batch, _schedule.At(_state.Step), stopRequested, readLanguages: logging,
            injectNonFinite: _options.InjectNonFiniteAtSteps.Contains(_state.Step + 1));
        var seconds = clock.Elapsed.TotalSeconds;
        HeldBytes = Math.Max(HeldBytes ?? 0, result.HeldBytes);
        meter.Record(_geometry.TokensPerStep, seconds);
        _state.Step++;
        _state.TokensConsumed = batch.StateAfter.TokensConsumed;
        _state.TokensPerLanguage = new SortedDictionary<string, long>(batch.StateAfter.TokensPerLanguage, StringComparer.Ordinal);
        _state.SkippedSteps = _guard.SkippedSteps;
        _state.ConsecutiveSkipped = _guard.ConsecutiveSkipped;
        _state.LossWindow = _guard.Window.ToList();
        _state.ElapsedSeconds += seconds;
        if (IsMainRank)
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
        // Rank 0 evaluates; with sharded parameters every rank takes part in gathering them for it.
        _optimizer.WithWholeParameters(() =>
        {
            if (!IsMainRank)
                return;
            var metrics = _evaluator.Evaluate(_model, _state.Step);
            _metrics?.Write(metrics);
            _observer.OnEval(metrics);
        });
    }

    private string? SaveCheckpoint(DataState data)
    {
        // Sharded state: every rank writes its part. Whole state: one process writes everything.
        if (_optimizer.LocalShards() is { } shards)
            return SaveShards(_parallel!, data, shards);
        return _parallel is null ? Save(data) : SaveOnMainRank(_parallel, data);
    }

    private string SaveShards(DataParallel parallel, DataState data, ShardedState shards)
    {
        var checkpoint = CheckpointBridge.Capture(_model, _optimizer, _state, data, _config.Training.Seed, _config.ToYaml(), _compatibility,
            withTensors: false);
        var directory = ShardedCheckpointWriter.Write(_store, checkpoint, shards, parallel, _config.Checkpointing.KeepLast);
        if (IsMainRank)
            _observer.OnCheckpoint(_state.Step, directory);
        return directory;
    }

    private string SaveOnMainRank(DataParallel parallel, DataState data)
    {
        // Rank 0 writes; the others learn whether it succeeded, so that all stop together on a
        // failure instead of waiting in the next collective.
        string? directory = null;
        Exception? failure = null;
        if (IsMainRank)
        {
            try
            {
                directory = Save(data);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }
        var saved = parallel.All(failure is null);
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        if (!saved)
            throw new CheckpointException(_store.Root,
                $"rank 0 failed to write the checkpoint of step {_state.Step} (its log says why); this rank stops with it");
        return directory ?? Path.Combine(_store.Root, CheckpointFiles.DirectoryName(_state.Step));
    }

    private string Save(DataState data)
    {
        var checkpoint = CheckpointBridge.Capture(_model, _optimizer, _state, data, _config.Training.Seed, _config.ToYaml(), _compatibility,
            withTensors: true);
        var directory = _store.Save(checkpoint, _config.Checkpointing.KeepLast);
        _observer.OnCheckpoint(_state.Step, directory);
        return directory;
    }

    private void ResumeFrom(Checkpoint? checkpoint)
    {
        if (checkpoint is null)
            return;
        checkpoint.EnsureResumableBy(_compatibility);
        if (checkpoint.Manifest.WeightsOnly)
        {
            CheckpointBridge.RestoreWeights(checkpoint, _optimizer);
            _observer.OnWarning($"starting from the weights of {checkpoint.Directory} (an imported model, weights only): "
                                + "fresh optimizer, data and RNG state, from step 1; later restarts resume from this run's own checkpoints with --resume auto");
            return;
        }
        _resumedData = CheckpointBridge.Restore(checkpoint, _model.Device, _optimizer);
        _plan.CheckCompatible(_resumedData);
        _state = checkpoint.Trainer;
        _guard.Restore(_state.LossWindow, _state.SkippedSteps, _state.ConsecutiveSkipped);
        _resumedFrom = checkpoint.Directory;
    }

    // Every rank must continue from the same step with the same weights: a rank that saw another
    // checkpoint (a directory not shared between nodes) would train on a different state.
    private void AlignRanks(DataParallel parallel)
    {
        var steps = parallel.Gather(_state.Step);
        if (steps.Distinct().Count() > 1)
            throw new CheckpointException(_store.Root,
                $"the ranks resumed from different steps ({string.Join(", ", steps.Select((s, r) => $"rank {r}: {s}"))}); "
                + "the checkpoint directory must be one that every rank sees (a shared filesystem)");
        _optimizer.WithWholeParameters(() => parallel.SyncParameters(_model.Parameters.Select(p => p.Tensor).ToList()), writesValues: true);
    }
}
