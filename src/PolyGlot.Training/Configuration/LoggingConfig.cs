using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>The <c>logging:</c> section: the run directory and how often the console reports.</summary>
public sealed class LoggingConfig : IValidatedConfig
{
    /// <summary>Directory of the run: log file, <c>metrics.jsonl</c>, resolved config, checkpoints.</summary>
    public string RunDir { get; set; } = "runs/default";

    /// <summary>
    /// Console line every this many steps; also how often per-language training losses are read
    /// from the device (metrics.jsonl gets every step, with per-language losses on logging steps).
    /// </summary>
    public int LogEverySteps { get; set; } = 10;

    /// <summary>
    /// Whether 1-based <paramref name="step"/> is a logging step: the first, every
    /// <c>log_every_steps</c>-th, and the last of the run (<paramref name="totalSteps"/>).
    /// </summary>
    public bool IsLoggingStep(long step, long totalSteps) => step == 1 || step % LogEverySteps == 0 || step == totalSteps;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireText(RunDir, ConfigPath.Join(path, "run_dir"));
        errors.RequirePositive(LogEverySteps, ConfigPath.Join(path, "log_every_steps"));
    }
}
