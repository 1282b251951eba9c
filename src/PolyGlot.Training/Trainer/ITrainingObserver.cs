using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Trainer;

/// <summary>Receives what the trainer does, for logs and progress displays (called on the training thread).</summary>
public interface ITrainingObserver
{
    /// <summary>The run is about to train its first step (after a resume, the first step after the checkpoint).</summary>
    void OnStart(TrainingStart start);

    /// <summary>A step finished (applied or skipped).</summary>
    void OnStep(StepReport report);

    /// <summary>A held-out evaluation finished.</summary>
    void OnEval(EvalMetrics metrics);

    /// <summary>A checkpoint was written.</summary>
    void OnCheckpoint(long step, string directory);

    /// <summary>Something is wrong but the run goes on (e.g. a corrupt checkpoint was skipped).</summary>
    void OnWarning(string message);
}

/// <summary>Facts about a run as it starts.</summary>
/// <param name="FirstStep">The 1-based number of the next step.</param>
/// <param name="TotalSteps">Steps of the whole schedule.</param>
/// <param name="LastStep">The step this invocation stops after (TotalSteps, or --max-steps).</param>
/// <param name="ResumedFrom">The checkpoint directory continued from, or null for a fresh start.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="TokensPerStep">Tokens per optimizer step.</param>
/// <param name="Geometry">The batch split in words.</param>
public sealed record TrainingStart(long FirstStep, long TotalSteps, long LastStep, string? ResumedFrom, long Parameters,
    long TokensPerStep, string Geometry);

/// <summary>One step as observers see it: the metrics line plus what a progress display needs.</summary>
/// <param name="Metrics">The metrics written to metrics.jsonl.</param>
/// <param name="TotalSteps">Steps of the whole schedule.</param>
/// <param name="RealizedGroupShares">Share of the step's sequences per data group (english, non-english, bilingual).</param>
/// <param name="GuardNote">Why the step was skipped, or null.</param>
public sealed record StepReport(StepMetrics Metrics, long TotalSteps, IReadOnlyDictionary<string, double> RealizedGroupShares, string? GuardNote);
