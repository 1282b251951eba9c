using PolyGlot.Model;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// Everything one checkpoint holds, handed to <see cref="CheckpointStore.Save"/>. Tensors come as
/// <see cref="SafetensorsPayload"/>s so that they stream from their source (a tensor's bytes)
/// into the file without a second copy.
/// </summary>
public sealed class CheckpointData
{
    /// <summary>Steps completed.</summary>
    public required long Step { get; init; }

    /// <summary>Model parameters by name (fp32 master weights).</summary>
    public required IReadOnlyList<SafetensorsPayload> ModelTensors { get; init; }

    /// <summary>Optimizer state by name (e.g. <c>exp_avg.&lt;param&gt;</c>, <c>exp_avg_sq.&lt;param&gt;</c>).</summary>
    public required IReadOnlyList<SafetensorsPayload> OptimizerTensors { get; init; }

    /// <summary>Trainer state.</summary>
    public required TrainerState Trainer { get; init; }

    /// <summary>The data loader's state as JSON text (opaque here; must be valid JSON).</summary>
    public required string DataStateJson { get; init; }

    /// <summary>Random number generator state.</summary>
    public required RngState Rng { get; init; }

    /// <summary>The resolved run configuration (YAML).</summary>
    public required string ConfigYaml { get; init; }

    /// <summary>
    /// Only the model weights are meaningful (an imported model): a run resuming from it starts
    /// from step 0 with a fresh optimizer and data state.
    /// </summary>
    public bool WeightsOnly { get; init; }

    /// <summary>What a resume must match.</summary>
    public required CheckpointCompatibility Compatibility { get; init; }

    /// <summary>String metadata stored in both safetensors headers (<c>format: pt</c> is always added).</summary>
    public IReadOnlyDictionary<string, string> TensorMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A weights-only checkpoint of <paramref name="model"/> at step 0 (what <c>polyglot import</c>
    /// writes): resuming from it takes the weights and starts with a fresh optimizer, data and RNG state.
    /// </summary>
    public static CheckpointData WeightsOf(TransformerModel model, string configYaml, CheckpointCompatibility compatibility) => new()
    {
        Step = 0,
        WeightsOnly = true,
        ModelTensors = model.Parameters.Select(p => SafetensorsTensors.Payload(p.Name, p.Tensor)).ToList(),
        OptimizerTensors = [],
        Trainer = new TrainerState(),
        DataStateJson = "{}",
        Rng = new RngState(),
        ConfigYaml = configYaml,
        Compatibility = compatibility,
        TensorMetadata = new Dictionary<string, string> { ["layout"] = model.Config.Layout },
    };
}
