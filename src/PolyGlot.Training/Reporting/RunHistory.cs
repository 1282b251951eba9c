using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// Everything a report shows of one run directory, as read by <see cref="RunHistoryReader"/>:
/// the steps and evaluations of <c>metrics.jsonl</c>, the realised data mix and the start,
/// resume, checkpoint and end markers of <c>events.jsonl</c>, the resolved <c>config.yaml</c>,
/// and notes about whatever could not be read. Steps count from 1, as in the metrics file and the log.
/// </summary>
public sealed class RunHistory
{
    // Computed once: charts ask for them per step.
    private IReadOnlyList<string>? _languages, _groups;

    /// <summary>The run's name (from its configuration, else the directory's name).</summary>
    public required string Name { get; init; }

    /// <summary>The run directory as given.</summary>
    public required string Directory { get; init; }

    /// <summary>The resolved configuration, or null when <c>config.yaml</c> is missing or unreadable (see <see cref="Notes"/>).</summary>
    public RunConfig? Config { get; init; }

    /// <summary>Training steps in step order, each once.</summary>
    public required IReadOnlyList<TrainPoint> Steps { get; init; }

    /// <summary>Held-out evaluations in step order.</summary>
    public required IReadOnlyList<EvalPoint> Evals { get; init; }

    /// <summary>Share of each step's sequences per data group, in step order (empty for runs older than <c>events.jsonl</c>).</summary>
    public required IReadOnlyList<MixPoint> Mix { get; init; }

    /// <summary>Starts, resumes, checkpoints and ends, in step order.</summary>
    public required IReadOnlyList<RunMarker> Markers { get; init; }

    /// <summary>Problems met while reading (a torn last line, a missing file), one sentence each.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Trainable parameters (from the start event, else counted from the configuration), or null.</summary>
    public long? Parameters { get; init; }

    /// <summary>Steps of the whole schedule, or null when unknown.</summary>
    public long? TotalSteps { get; init; }

    /// <summary>Wall time from each start to the invocation's last event, summed; null without timed events.</summary>
    public TimeSpan? WallTime { get; init; }

    /// <summary>Languages seen, most tokens first.</summary>
    public IReadOnlyList<string> Languages => _languages ??= Steps.Count == 0 ? EvalLanguages
        : Steps[^1].TokensPerLanguage.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key)
            .Union(Steps.SelectMany(s => s.LossPerLanguage.Keys).Distinct().Order(StringComparer.Ordinal)).Union(EvalLanguages).ToList();

    /// <summary>Data groups of the curriculum (english, non-english, bilingual), in the metrics' order.</summary>
    public IReadOnlyList<string> Groups => _groups ??= Steps.SelectMany(s => s.ScheduledShares.Keys).Union(Mix.SelectMany(m => m.Realized.Keys)).ToList();

    /// <summary>Steps trained so far (the last step's number).</summary>
    public long StepsTrained => Steps.Count == 0 ? 0 : Steps[^1].Step;

    /// <summary>Seconds spent in training steps (the sum of <c>step_seconds</c>), without evaluations and checkpoints.</summary>
    public double StepSeconds => Steps.Sum(s => double.IsFinite(s.StepSeconds) ? s.StepSeconds : 0);

    private IReadOnlyList<string> EvalLanguages => Evals.SelectMany(e => e.LossPerLanguage.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
}

/// <summary>One line of <c>kind: train</c>; a missing or null number is NaN.</summary>
public sealed record TrainPoint(long Step, double Loss, IReadOnlyDictionary<string, double> LossPerLanguage, double Lr, double GradNorm,
    double TokensPerSecond, double Mfu, IReadOnlyDictionary<string, double> ScheduledShares, IReadOnlyDictionary<string, long> TokensPerLanguage,
    long TokensConsumed, bool Skipped, double StepSeconds);

/// <summary>One line of <c>kind: eval</c>, after step <paramref name="Step"/>.</summary>
public sealed record EvalPoint(long Step, double Loss, IReadOnlyDictionary<string, double> LossPerLanguage,
    IReadOnlyDictionary<string, double> BitsPerByte);

/// <summary>The realised share of step <paramref name="Step"/>'s sequences per data group.</summary>
public sealed record MixPoint(long Step, IReadOnlyDictionary<string, double> Realized);

/// <summary>What a marker on the step axis stands for.</summary>
public enum MarkerKind
{
    /// <summary>The run started from scratch.</summary>
    Start,

    /// <summary>The run resumed from a checkpoint.</summary>
    Resume,

    /// <summary>A checkpoint was written (or exists on disk).</summary>
    Checkpoint,

    /// <summary>An invocation ended (completed, interrupted, stopped at --max-steps).</summary>
    End,
}

/// <summary>An event after step <paramref name="Step"/> (counted from 1; 0 before the first step).</summary>
public sealed record RunMarker(long Step, MarkerKind Kind, string Detail, DateTime? Time);
