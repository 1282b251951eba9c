using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// The <c>guard:</c> section: steps whose loss is NaN/Inf, or spikes above <c>spike_factor</c>
/// times the mean of the last <c>spike_window</c> accepted losses, are skipped (no update) and
/// reported; the run stops after <c>max_skipped_steps</c> skipped steps in a row.
/// </summary>
public sealed class GuardConfig : IValidatedConfig
{
    /// <summary>Skip a step whose loss exceeds this multiple of the recent mean (0 disables the spike test; NaN/Inf are always skipped).</summary>
    public double SpikeFactor { get; set; } = 3.0;

    /// <summary>Accepted steps in the running mean; the spike test starts once it is full.</summary>
    public int SpikeWindow { get; set; } = 50;

    /// <summary>Consecutive skipped steps after which the run stops with an error.</summary>
    public int MaxSkippedSteps { get; set; } = 10;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.Require(SpikeFactor == 0 || SpikeFactor > 1, ConfigPath.Join(path, "spike_factor"), SpikeFactor,
            "must be 0 (off) or greater than 1 (a multiple of the recent mean loss)");
        errors.RequirePositive(SpikeWindow, ConfigPath.Join(path, "spike_window"));
        errors.RequirePositive(MaxSkippedSteps, ConfigPath.Join(path, "max_skipped_steps"));
    }
}
