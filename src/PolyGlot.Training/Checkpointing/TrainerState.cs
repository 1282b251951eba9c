namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// The trainer's own state at the end of a step, saved as <c>trainer.json</c>: enough, with the
/// tensors, data and RNG state, to continue as if never stopped (including the loss guard).
/// </summary>
public sealed class TrainerState
{
    /// <summary>Optimizer steps completed; the resumed run starts with this step.</summary>
    public long Step { get; set; }

    /// <summary>Tokens trained on so far, over all ranks.</summary>
    public long TokensConsumed { get; set; }

    /// <summary>Tokens trained on per language code.</summary>
    public SortedDictionary<string, long> TokensPerLanguage { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Steps skipped by the loss guard so far.</summary>
    public long SkippedSteps { get; set; }

    /// <summary>Steps skipped in a row at the time of the checkpoint.</summary>
    public int ConsecutiveSkipped { get; set; }

    /// <summary>The accepted losses of the guard's window, oldest first (doubles round-trip exactly in JSON).</summary>
    public List<double> LossWindow { get; set; } = [];

    /// <summary>Training wall-clock time so far, in seconds.</summary>
    public double ElapsedSeconds { get; set; }
}
