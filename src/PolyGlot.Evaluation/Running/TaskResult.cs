namespace PolyGlot.Evaluation.Running;

/// <summary>One metric of one task: its value and standard error.</summary>
/// <param name="Name">The metric (acc, bleu, ...).</param>
/// <param name="Value">Its value (accuracies in 0..1, BLEU and chrF in 0..100).</param>
/// <param name="StandardError">Its standard error: closed form for means, bootstrap for corpus metrics; NaN with one sample.</param>
public sealed record MetricValue(string Name, double Value, double StandardError);

/// <summary>A task's results for one language.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Language">The language measured.</param>
/// <param name="NumFewshot">Few-shot examples per context.</param>
/// <param name="Samples">Documents evaluated.</param>
/// <param name="Metrics">The metrics, in the task file's order.</param>
/// <param name="Records">Per-document records (context, answers, scores) when asked for, else empty.</param>
public sealed record TaskResult(string Task, string Language, int NumFewshot, int Samples,
    IReadOnlyList<MetricValue> Metrics, IReadOnlyList<Dictionary<string, object?>> Records);

/// <summary>How a run evaluates.</summary>
/// <param name="NumFewshot">Few-shot examples per context (null: each task's own).</param>
/// <param name="Limit">Documents per task at most (null: all).</param>
/// <param name="BatchSize">Sequences per forward pass.</param>
/// <param name="LogSamples">Keep per-document records.</param>
public sealed record RunOptions(int? NumFewshot = null, int? Limit = null, int BatchSize = 8, bool LogSamples = false);
