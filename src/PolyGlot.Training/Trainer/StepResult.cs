using PolyGlot.Training.Guards;

namespace PolyGlot.Training.Trainer;

/// <summary>What one optimizer step did.</summary>
/// <param name="Loss">Mean loss over the step's tokens (before the update).</param>
/// <param name="Losses">
/// Loss sums and token counts per language over the steps since the previous logging step (all
/// ranks), read only on logging steps; null on the others, where they stay on the device.
/// </param>
/// <param name="GradNorm">Global gradient norm before clipping.</param>
/// <param name="LearningRate">The learning rate of the update.</param>
/// <param name="Verdict">Whether the update was applied or skipped by the guard.</param>
/// <param name="StopRequested">True when a stop was requested on this or (with several ranks) any rank before the step ended.</param>
public sealed record StepResult(double Loss, LanguageLosses? Losses, double GradNorm, double LearningRate, GuardVerdict Verdict,
    bool StopRequested = false)
{
    /// <summary>Gradient all-reduce buckets, when they are started during backward (null otherwise).</summary>
    public int? GradientBuckets { get; init; }

    /// <summary>Of <see cref="GradientBuckets"/>, those that started while backward still ran.</summary>
    public int? GradientBucketsDuringBackward { get; init; }

    /// <summary>
    /// Bytes of parameters, gradients and AdamW state this rank held at the end of backward,
    /// before the gradients were synchronised (<see cref="Optimization.TrainingOptimizer.HeldBytes"/>).
    /// </summary>
    public long HeldBytes { get; init; }

    /// <summary>True when the guard skipped the update.</summary>
    public bool Skipped => Verdict != GuardVerdict.Accept;
}
