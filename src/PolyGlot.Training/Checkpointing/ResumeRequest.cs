namespace PolyGlot.Training.Checkpointing;

/// <summary>How a run starts, from <c>--resume auto|PATH|none</c>.</summary>
public enum ResumeMode
{
    /// <summary>From the newest complete checkpoint in the run's checkpoint directory, or fresh when there is none.</summary>
    Auto,
    /// <summary>From a given checkpoint (or the newest complete one in a given directory); an error if unusable.</summary>
    Path,
    /// <summary>Fresh, ignoring existing checkpoints.</summary>
    None,
}

/// <summary>A parsed <c>--resume</c> value.</summary>
/// <param name="Mode">Auto, a path, or none.</param>
/// <param name="Target">The path for <see cref="ResumeMode.Path"/>; null otherwise.</param>
public sealed record ResumeRequest(ResumeMode Mode, string? Target = null)
{
    /// <summary><c>auto</c>, <c>none</c> (case-insensitive), or anything else as a path.</summary>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public static ResumeRequest Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException("--resume needs a value: auto, none, or the path of a checkpoint", nameof(value));
        return value.Trim().ToLowerInvariant() switch
        {
            "auto" => new ResumeRequest(ResumeMode.Auto),
            "none" => new ResumeRequest(ResumeMode.None),
            _ => new ResumeRequest(ResumeMode.Path, value),
        };
    }
}
