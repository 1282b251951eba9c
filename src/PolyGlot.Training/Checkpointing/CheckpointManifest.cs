namespace PolyGlot.Training.Checkpointing;

/// <summary>The checkpoint's manifest, <c>checkpoint.json</c>.</summary>
public sealed class CheckpointManifest
{
    /// <summary>The layout version this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Layout version.</summary>
    public int Version { get; set; } = CurrentVersion;

    /// <summary>The step the checkpoint was taken after.</summary>
    public long Step { get; set; }

    /// <summary>When it was written (UTC).</summary>
    public DateTime CreatedUtc { get; set; }

    /// <summary>
    /// The checkpoint holds model weights only (written by <c>polyglot import</c>): resuming from it
    /// takes the weights and starts at step 0 with a fresh optimizer, data and RNG state.
    /// </summary>
    public bool WeightsOnly { get; set; }

    /// <summary>
    /// 0: the tensors are whole in <c>model.safetensors</c> and <c>optimizer.safetensors</c>; N:
    /// N ranks wrote them in parts, one file each, indexed by <c>shards.json</c> (<see cref="ShardIndex"/>).
    /// </summary>
    public int ShardedOver { get; set; }

    /// <summary>What a resuming run must match.</summary>
    public CheckpointCompatibility Compatibility { get; set; } = new();
}
