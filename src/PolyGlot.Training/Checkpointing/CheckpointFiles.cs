using System.Globalization;
using System.Text.RegularExpressions;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// The layout of a checkpoint directory. Each checkpoint is <c>&lt;root&gt;/step-NNNNNN</c> holding:
/// <list type="bullet">
/// <item><c>model.safetensors</c>, <c>optimizer.safetensors</c>: tensors (fp32 master weights, AdamW moments);
/// or, when the ranks of a sharded run wrote their parts in parallel, <c>rank-NNNNN-of-MMMMM.safetensors</c>
/// (one per rank) and their index <c>shards.json</c> (<see cref="ShardIndex"/>);</item>
/// <item><c>checkpoint.json</c>: format version, step, time, and what a resume must match (model shape, tokenizer);</item>
/// <item><c>trainer.json</c>, <c>data.json</c>, <c>rng.json</c>: trainer, data-loader and RNG state;</item>
/// <item><c>config.yaml</c>: the resolved run configuration;</item>
/// <item><c>checksums.sha256</c>: SHA-256 of every file above, in <c>sha256sum -c</c> format;</item>
/// <item><c>COMPLETE</c>: written last, after the directory got its final name.</item>
/// </list>
/// </summary>
public static partial class CheckpointFiles
{
    /// <summary>Model tensors.</summary>
    public const string Model = "model.safetensors";

    /// <summary>Optimizer state tensors.</summary>
    public const string Optimizer = "optimizer.safetensors";

    /// <summary>Manifest: version, step, compatibility.</summary>
    public const string Manifest = "checkpoint.json";

    /// <summary>Trainer state.</summary>
    public const string Trainer = "trainer.json";

    /// <summary>Data-loader state (opaque to the checkpoint).</summary>
    public const string Data = "data.json";

    /// <summary>Random number generator state.</summary>
    public const string Rng = "rng.json";

    /// <summary>The resolved run configuration.</summary>
    public const string Config = "config.yaml";

    /// <summary>SHA-256 of every other file, one <c>hash  name</c> line each.</summary>
    public const string Checksums = "checksums.sha256";

    /// <summary>The completion marker, written last.</summary>
    public const string Complete = "COMPLETE";

    /// <summary>Files every complete checkpoint holds and lists in <see cref="Checksums"/>, besides its tensor files.</summary>
    public static IReadOnlyList<string> Common { get; } = [Manifest, Trainer, Data, Rng, Config];

    /// <summary>Every file a complete checkpoint with <paramref name="manifest"/> holds and lists in <see cref="Checksums"/>.</summary>
    public static IReadOnlyList<string> RequiredBy(CheckpointManifest manifest) => manifest.ShardedOver > 0
        ? [.. Common, ShardIndex.FileName, .. Enumerable.Range(0, manifest.ShardedOver).Select(r => ShardIndex.RankFile(r, manifest.ShardedOver))]
        : [.. Common, Model, Optimizer];

    /// <summary>The directory name of step <paramref name="step"/>: <c>step-000123</c> (six digits or more).</summary>
    public static string DirectoryName(long step) => "step-" + step.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The step of a checkpoint directory name, or null when the name is not one.</summary>
    public static long? StepOf(string directoryName)
    {
        var match = StepName().Match(directoryName);
        return match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            ? step
            : null;
    }

    /// <summary>Prefix of directories being written (hidden, never taken for a checkpoint).</summary>
    internal const string TempPrefix = ".tmp-";

    /// <summary>Prefix of a replaced checkpoint awaiting deletion.</summary>
    internal const string OldPrefix = ".old-";

    [GeneratedRegex(@"^step-(\d{1,18})$")]
    private static partial Regex StepName();
}
