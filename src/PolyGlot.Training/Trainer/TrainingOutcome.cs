namespace PolyGlot.Training.Trainer;

/// <summary>How a call to <see cref="TrainingRun.Run"/> ended.</summary>
public enum TrainingEnd
{
    /// <summary>The schedule's last step was trained (and checkpointed).</summary>
    Completed,

    /// <summary>The resumed checkpoint is already at the end of the schedule; nothing was trained.</summary>
    AlreadyComplete,

    /// <summary>Stopped at <c>--max-steps</c>, with a checkpoint to continue from.</summary>
    ReachedMaxSteps,

    /// <summary>Stopped by a signal after finishing the current step, with a checkpoint.</summary>
    Interrupted,
}

/// <summary>The result of a training invocation.</summary>
/// <param name="End">Why it ended.</param>
/// <param name="Step">Steps complete at the end.</param>
/// <param name="Losses">The loss of every step trained by this invocation, in order.</param>
/// <param name="Checkpoint">The last checkpoint written or resumed from (null if none).</param>
public sealed record TrainingOutcome(TrainingEnd End, long Step, IReadOnlyList<double> Losses, string? Checkpoint);
