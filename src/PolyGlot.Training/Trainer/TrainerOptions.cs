using PolyGlot.Torch;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Trainer;

/// <summary>How a run is started, beyond its configuration.</summary>
public sealed record TrainerOptions
{
    /// <summary>The run directory: metrics, logs and (by default) checkpoints.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>Where parameters and activations live.</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Which checkpoint to continue from (default: the newest complete one, if any).</summary>
    public ResumeRequest Resume { get; init; } = new(ResumeMode.Auto);

    /// <summary>Stop (with a checkpoint) once this many steps are complete, before the end of the schedule.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>SHA-256 of the tokenizer's .model file; a checkpoint trained with another tokenizer is refused.</summary>
    public required string TokenizerSha256 { get; init; }

    /// <summary>Peak FLOP/s of the device for MFU (reported on CUDA only; null: no MFU).</summary>
    public double? PeakFlopsPerSecond { get; init; }

    /// <summary>
    /// The data-parallel group when the run is one of several processes (null: a single process).
    /// Rank 0 reports, evaluates and writes metrics and checkpoints; every rank trains its slice.
    /// </summary>
    public DataParallel? Parallel { get; init; }

    /// <summary>
    /// For fault tests only: 1-based steps whose loss (and so every gradient) is made NaN before
    /// backward, to check that the loss guard skips them without touching weights or optimizer
    /// state. Empty in normal runs.
    /// </summary>
    public IReadOnlySet<long> InjectNonFiniteAtSteps { get; init; } = new HashSet<long>();
}
