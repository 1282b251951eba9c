using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>The <c>logging:</c> section: the run directory and how often the console reports.</summary>
public sealed class LoggingConfig : IValidatedConfig
{
    /// <summary>Directory of the run: log file, <c>metrics.jsonl</c>, resolved config, checkpoints.</summary>
    public string RunDir { get; set; } = "runs/default";

    /// <summary>Console / progress line every this many steps (metrics.jsonl gets every step).</summary>
    public int LogEverySteps { get; set; } = 10;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireText(RunDir, ConfigPath.Join(path, "run_dir"));
        errors.RequirePositive(LogEverySteps, ConfigPath.Join(path, "log_every_steps"));
    }
}
