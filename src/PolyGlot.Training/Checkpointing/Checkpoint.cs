namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// A verified checkpoint, ready to resume from: its small JSON/YAML parts are loaded, its tensor
/// files are opened on demand (memory-mapped).
/// </summary>
public sealed class Checkpoint
{
    private Checkpoint(string directory, CheckpointManifest manifest, TrainerState trainer, string dataStateJson,
        RngState rng, string configYaml)
    {
        Directory = directory;
        Manifest = manifest;
        Trainer = trainer;
        DataStateJson = dataStateJson;
        Rng = rng;
        ConfigYaml = configYaml;
    }

    /// <summary>The checkpoint directory.</summary>
    public string Directory { get; }

    /// <summary>Steps completed when it was taken.</summary>
    public long Step => Manifest.Step;

    /// <summary>Version, step, time, compatibility.</summary>
    public CheckpointManifest Manifest { get; }

    /// <summary>Trainer state.</summary>
    public TrainerState Trainer { get; }

    /// <summary>The data loader's state, as saved (JSON text).</summary>
    public string DataStateJson { get; }

    /// <summary>RNG state.</summary>
    public RngState Rng { get; }

    /// <summary>The resolved configuration of the run that wrote it.</summary>
    public string ConfigYaml { get; }

    /// <summary>Verifies <paramref name="directory"/> (see <see cref="CheckpointVerifier"/>) and loads it.</summary>
    /// <exception cref="CheckpointException">Incomplete, corrupt or unreadable; the message says which.</exception>
    public static Checkpoint Load(string directory, bool verifyChecksums = true)
    {
        CheckpointVerifier.Verify(directory, verifyChecksums);
        string Part(string name) => Path.Combine(directory, name);
        return new Checkpoint(directory,
            CheckpointJson.Deserialize<CheckpointManifest>(Part(CheckpointFiles.Manifest)),
            CheckpointJson.Deserialize<TrainerState>(Part(CheckpointFiles.Trainer)),
            File.ReadAllText(Part(CheckpointFiles.Data)),
            CheckpointJson.Deserialize<RngState>(Part(CheckpointFiles.Rng)),
            File.ReadAllText(Part(CheckpointFiles.Config)));
    }

    /// <summary>Opens the model tensors, whole or in the ranks' parts (dispose when loaded).</summary>
    public CheckpointTensors OpenModel() => Open(CheckpointFiles.Model, ShardIndex.ModelGroup);

    /// <summary>Opens the optimizer tensors, whole or in the ranks' parts (dispose when loaded).</summary>
    public CheckpointTensors OpenOptimizer() => Open(CheckpointFiles.Optimizer, ShardIndex.OptimizerGroup);

    private CheckpointTensors Open(string file, string group) => Manifest.ShardedOver > 0
        ? new ShardedCheckpointTensors(Directory, CheckpointJson.Deserialize<ShardIndex>(Path.Combine(Directory, ShardIndex.FileName)), group)
        : CheckpointTensors.Open(Path.Combine(Directory, file));

    /// <summary>Throws unless a run with <paramref name="current"/> may resume from this checkpoint.</summary>
    /// <exception cref="CheckpointException">The model shape or tokenizer differ; each difference is named.</exception>
    public void EnsureResumableBy(CheckpointCompatibility current) =>
        Manifest.Compatibility.EnsureResumableBy(current, Directory);
}
