using PolyGlot.Common.Configuration;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Preparation;
using PolyGlot.Model.Configuration;
using YamlDotNet.Serialization;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// A training run as <c>polyglot train --config run.yaml</c> reads it (snake_case keys): model,
/// tokenizer, data, optimizer, schedule, precision, training, checkpointing, eval, logging and
/// guard sections, each validated on its own, then checked against each other. Relative paths are
/// relative to the working directory. docs/training.md lists every key.
/// </summary>
public sealed class RunConfig : IValidatedConfig
{
    /// <summary>Name of the run (shown in logs and metrics).</summary>
    public string Name { get; set; } = "run";

    /// <summary>The transformer.</summary>
    public ModelConfig Model { get; set; } = new();

    /// <summary>
    /// A data preparation config file (corpus sources, tokenizer training, <c>prepare</c>; e.g.
    /// <c>configs/demo-data.yaml</c>) from which <c>polyglot train</c> builds the tokenizer and the
    /// shards this run names when they do not exist yet. Optional: without it they must exist.
    /// </summary>
    public string? Preparation { get; set; }

    /// <summary>The SentencePiece tokenizer.</summary>
    public TokenizerConfig Tokenizer { get; set; } = new();

    /// <summary>Prepared sources, mixing, curriculum and the global batch (sequences x seq_len).</summary>
    public DataConfig Data { get; set; } = new();

    /// <summary>AdamW and clipping.</summary>
    public OptimizerConfig Optimizer { get; set; } = new();

    /// <summary>Learning-rate schedule and run length.</summary>
    public ScheduleConfig Schedule { get; set; } = new();

    /// <summary>Compute dtype.</summary>
    public PrecisionConfig Precision { get; set; } = new();

    /// <summary>Device, micro-batch and seed.</summary>
    public TrainingConfig Training { get; set; } = new();

    /// <summary>Checkpoint directory, interval and retention.</summary>
    public CheckpointingConfig Checkpointing { get; set; } = new();

    /// <summary>Held-out evaluation.</summary>
    public EvalConfig Eval { get; set; } = new();

    /// <summary>Run directory and console cadence.</summary>
    public LoggingConfig Logging { get; set; } = new();

    /// <summary>Loss-spike and NaN guard.</summary>
    public GuardConfig Guard { get; set; } = new();

    /// <summary>Loads and validates a run configuration file.</summary>
    /// <exception cref="ConfigException">Missing, malformed, or a rule is broken; every problem is listed.</exception>
    public static RunConfig Load(string path) => YamlConfig.Load<RunConfig>(path);

    /// <summary>The configuration as YAML with every default filled in (saved with the run and each checkpoint).</summary>
    public string ToYaml() => ResolvedYaml.Serialize(this);

    /// <summary>
    /// Loads <see cref="Preparation"/> and checks that it builds what this run reads: the tokenizer
    /// at <c>tokenizer.path</c>, and every <c>data.sources[i].path</c> either the output root of
    /// <c>prepare</c> or one source's directory <c>&lt;prepare.output&gt;/&lt;source&gt;</c>.
    /// Relative paths are taken from <paramref name="baseDirectory"/> (the working directory when empty).
    /// Returns null when the run names no preparation file.
    /// </summary>
    /// <exception cref="ConfigException">The file is invalid, or it would build something else; each mismatch is named.</exception>
    public DataPreparationConfig? LoadPreparation(string baseDirectory = "", string source = "run configuration")
    {
        if (string.IsNullOrWhiteSpace(Preparation))
            return null;
        var preparation = YamlConfig.Load<DataPreparationConfig>(Path.Combine(baseDirectory, Preparation));
        string Full(string path) => Path.GetFullPath(Path.Combine(baseDirectory, path));
        bool SamePath(string a, string b) => string.Equals(Full(a), Full(b), StringComparison.Ordinal);
        var errors = new ConfigErrors();
        errors.Require(SamePath(preparation.Prepare.Tokenizer, Tokenizer.Path), "tokenizer.path", Tokenizer.Path,
            $"must be the tokenizer that {Preparation} prepares with (prepare.tokenizer = '{preparation.Prepare.Tokenizer}')");
        errors.Require(SamePath(Path.Combine(preparation.Tokenizer.Output, "tokenizer.model"), Tokenizer.Path), "tokenizer.path",
            Tokenizer.Path, $"must be the tokenizer that {Preparation} trains (tokenizer.output = '{preparation.Tokenizer.Output}')");
        var prepared = preparation.Select(preparation.Prepare.Sources)
            .Select(s => Full(Path.Combine(preparation.Prepare.Output, s.Name))).ToHashSet(StringComparer.Ordinal);
        prepared.Add(Full(preparation.Prepare.Output));
        for (var i = 0; i < Data.Sources.Count; i++)
            errors.Require(prepared.Contains(Full(Data.Sources[i].Path)), ConfigPath.Index("data.sources", i) + ".path",
                Data.Sources[i].Path, $"is not prepared by {Preparation}; expected its output root '{preparation.Prepare.Output}' or '{preparation.Prepare.Output}/<source name>'");
        errors.ThrowIfAny(source);
        return preparation;
    }

    /// <summary>The split of the global batch over <paramref name="worldSize"/> ranks.</summary>
    /// <exception cref="ConfigException">The global batch does not split into whole micro-batches; the message shows the arithmetic.</exception>
    public BatchGeometry Batch(int worldSize, string source = "run configuration") =>
        BatchGeometry.Create(Data.GlobalBatchSize, Data.SeqLen, Training.MicroBatchSize, worldSize, source);

    /// <summary>Optimizer steps in the run.</summary>
    [YamlIgnore]
    public long TotalSteps => Schedule.Steps((long)Data.GlobalBatchSize * Data.SeqLen);

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireText(Name, ConfigPath.Join(path, "name"));
        Model.Validate(errors, ConfigPath.Join(path, "model"));
        Tokenizer.Validate(errors, ConfigPath.Join(path, "tokenizer"));
        Data.Validate(errors, ConfigPath.Join(path, "data"));
        Optimizer.Validate(errors, ConfigPath.Join(path, "optimizer"));
        Schedule.Validate(errors, ConfigPath.Join(path, "schedule"));
        Precision.Validate(errors, ConfigPath.Join(path, "precision"));
        Training.Validate(errors, ConfigPath.Join(path, "training"));
        Checkpointing.Validate(errors, ConfigPath.Join(path, "checkpointing"));
        Eval.Validate(errors, ConfigPath.Join(path, "eval"));
        Logging.Validate(errors, ConfigPath.Join(path, "logging"));
        Guard.Validate(errors, ConfigPath.Join(path, "guard"));
        if (errors.IsEmpty)
            ValidateAcrossSections(errors);
    }

    private void ValidateAcrossSections(ConfigErrors errors)
    {
        errors.Require(Data.SeqLen <= Model.MaxSeqLen, "data.seq_len", Data.SeqLen,
            $"must be at most model.max_seq_len = {Model.MaxSeqLen} (the longest sequence the model is built for)");
        errors.Require(Schedule.MinLr <= Optimizer.Lr, "schedule.min_lr", Schedule.MinLr,
            $"must be at most optimizer.lr = {Optimizer.Lr} (the schedule decays from the peak to the minimum)");
        errors.Require(!(Precision.Compute == PrecisionConfig.Bf16 && Training.Device == "cpu"), "precision.compute",
            Precision.Compute, "bf16 compute runs on CUDA only; use fp32 with training.device: cpu");
        var (_, batchError) = BatchGeometry.TryCreate(Data.GlobalBatchSize, Data.SeqLen, Training.MicroBatchSize, 1);
        if (batchError is not null)
            errors.Add(batchError.Key, Training.MicroBatchSize, batchError.Rule);
        var steps = TotalSteps;
        errors.Require(Schedule.WarmupSteps <= steps, "schedule.warmup_steps", Schedule.WarmupSteps,
            $"must not exceed the run's {steps} steps");
    }
}
