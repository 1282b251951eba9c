namespace PolyGlot.Training.Metrics;

/// <summary>One training step's figures, written as one line of <c>metrics.jsonl</c> (<c>"kind": "train"</c>).</summary>
public sealed class StepMetrics
{
    /// <summary>Always <c>train</c>; tells train lines from eval lines.</summary>
    public string Kind => "train";

    /// <summary>The step these figures belong to, counted from 1 as in the log and the checkpoint names.</summary>
    public long Step { get; init; }

    /// <summary>Mean loss over the global batch (null when not finite).</summary>
    public double Loss { get; init; }

    /// <summary>Mean loss per language of the batch's tokens.</summary>
    public IReadOnlyDictionary<string, double> LossPerLanguage { get; init; } = new Dictionary<string, double>();

    /// <summary>Learning rate used for the update.</summary>
    public double Lr { get; init; }

    /// <summary>Global gradient norm before clipping.</summary>
    public double GradNorm { get; init; }

    /// <summary>Training throughput over all ranks.</summary>
    public double TokensPerSecond { get; init; }

    /// <summary>Model FLOPs utilisation (GPU runs); null on CPU.</summary>
    public double? Mfu { get; init; }

    /// <summary>The curriculum's group shares in force (e.g. english, non-english, bilingual).</summary>
    public IReadOnlyDictionary<string, double> CurriculumShares { get; init; } = new Dictionary<string, double>();

    /// <summary>Tokens consumed so far per language.</summary>
    public IReadOnlyDictionary<string, long> TokensPerLanguage { get; init; } = new Dictionary<string, long>();

    /// <summary>Tokens consumed so far over all languages.</summary>
    public long TokensConsumed { get; init; }

    /// <summary>True when the loss guard skipped this step's update.</summary>
    public bool Skipped { get; init; }

    /// <summary>Wall-clock seconds of the step.</summary>
    public double StepSeconds { get; init; }

    /// <summary>Gradient all-reduce buckets of a data-parallel step that overlaps them with backward (null otherwise).</summary>
    public int? GradBuckets { get; init; }

    /// <summary>Of <see cref="GradBuckets"/>, those that started while backward still ran.</summary>
    public int? GradBucketsDuringBackward { get; init; }
}

/// <summary>One evaluation's figures, written as one line of <c>metrics.jsonl</c> (<c>"kind": "eval"</c>).</summary>
public sealed class EvalMetrics
{
    /// <summary>Always <c>eval</c>.</summary>
    public string Kind => "eval";

    /// <summary>The step (counted from 1) after which the evaluation ran.</summary>
    public long Step { get; init; }

    /// <summary>Mean held-out loss over all languages (per token).</summary>
    public double Loss { get; init; }

    /// <summary>Held-out loss per language (per token).</summary>
    public IReadOnlyDictionary<string, double> LossPerLanguage { get; init; } = new Dictionary<string, double>();

    /// <summary>Bits per UTF-8 byte per language: summed loss / ln 2 / bytes of text (tokenizer-independent).</summary>
    public IReadOnlyDictionary<string, double> BitsPerBytePerLanguage { get; init; } = new Dictionary<string, double>();
}
