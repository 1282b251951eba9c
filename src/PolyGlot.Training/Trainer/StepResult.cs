using PolyGlot.Training.Guards;

namespace PolyGlot.Training.Trainer;

/// <summary>What one optimizer step did.</summary>
/// <param name="Loss">Mean loss over the step's tokens (before the update).</param>
/// <param name="Losses">Loss sums per language.</param>
/// <param name="GradNorm">Global gradient norm before clipping.</param>
/// <param name="LearningRate">The learning rate of the update.</param>
/// <param name="Verdict">Whether the update was applied or skipped by the guard.</param>
public sealed record StepResult(double Loss, LanguageLosses Losses, double GradNorm, double LearningRate, GuardVerdict Verdict)
{
    /// <summary>True when the guard skipped the update.</summary>
    public bool Skipped => Verdict != GuardVerdict.Accept;
}
