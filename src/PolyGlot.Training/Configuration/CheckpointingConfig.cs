using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>The <c>checkpointing:</c> section: where, how often and how many checkpoints are kept.</summary>
public sealed class CheckpointingConfig : IValidatedConfig
{
    /// <summary>Directory of the <c>step-NNNNNN</c> checkpoints; <c>{logging.run_dir}/checkpoints</c> when empty.</summary>
    public string Dir { get; set; } = "";

    /// <summary>A checkpoint every this many steps (and one at the end and on SIGINT/SIGTERM).</summary>
    public int EverySteps { get; set; } = 1000;

    /// <summary>Complete checkpoints kept; older ones are deleted after a new one is complete.</summary>
    public int KeepLast { get; set; } = 3;

    /// <summary>The checkpoint directory for a run directory of <paramref name="runDir"/>.</summary>
    public string ResolveDir(string runDir) => string.IsNullOrWhiteSpace(Dir) ? Path.Combine(runDir, "checkpoints") : Dir;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequirePositive(EverySteps, ConfigPath.Join(path, "every_steps"));
        errors.Require(KeepLast >= 1, ConfigPath.Join(path, "keep_last"), KeepLast,
            "must be 1 or more (the newest complete checkpoint is what a resume needs)");
    }
}
