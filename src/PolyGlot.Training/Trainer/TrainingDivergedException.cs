namespace PolyGlot.Training.Trainer;

/// <summary>
/// The loss guard skipped <c>guard.max_skipped_steps</c> steps in a row: the run stops instead of
/// consuming data without learning. The last checkpoint holds the weights before the trouble.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Describes the stop at <paramref name="step"/> after <paramref name="skipped"/> skipped steps.</summary>
    public TrainingDivergedException(long step, int skipped, StepResult last)
        : base($"Training stopped at step {step}: the last {skipped} steps were skipped by the loss guard " +
               $"(last loss {last.Loss}, gradient norm {last.GradNorm}). Resume from the last checkpoint with a lower optimizer.lr, " +
               "a smaller schedule.warmup_steps slope or a larger guard.max_skipped_steps; check the data of these steps.")
    {
        Step = step;
    }

    /// <summary>The step at which the run stopped.</summary>
    public long Step { get; }
}
