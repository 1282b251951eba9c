using PolyGlot.Data.Loading;
using PolyGlot.Model;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Optimization;

namespace PolyGlot.Training.Trainer;

/// <summary>Moves the trainer's live state into a checkpoint and back.</summary>
internal static class CheckpointBridge
{
    /// <summary>
    /// The checkpoint of the state after <paramref name="trainer"/>.Step steps; without
    /// <paramref name="withTensors"/> its tensor lists are empty (each rank writes its part of a
    /// sharded state itself).
    /// </summary>
    public static CheckpointData Capture(TransformerModel model, TrainingOptimizer optimizer, TrainerState trainer, DataState data,
        long seed, string configYaml, CheckpointCompatibility compatibility, bool withTensors) => new()
    {
        Step = trainer.Step,
        ModelTensors = withTensors ? model.Parameters.Select(p => SafetensorsTensors.Payload(p.Name, p.Tensor)).ToList() : [],
        OptimizerTensors = withTensors ? optimizer.StatePayloads() : [],
        Trainer = trainer,
        DataStateJson = data.ToJson(),
        Rng = new RngState
        {
            Seed = seed,
            TorchCpu = Rng.GetState(),
            TorchCuda = model.Device.IsCuda ? [Rng.GetState(model.Device)] : [],
        },
        ConfigYaml = configYaml,
        Compatibility = compatibility,
        TensorMetadata = new Dictionary<string, string> { ["layout"] = model.Config.Layout },
    };

    /// <summary>Overwrites parameters, optimizer state and generators from <paramref name="checkpoint"/>; returns its data state.</summary>
    /// <exception cref="CheckpointException">A tensor the model or optimizer needs is missing or has another shape.</exception>
    public static DataState Restore(Checkpoint checkpoint, Device device, TrainingOptimizer optimizer)
    {
        RestoreWeights(checkpoint, optimizer);
        Reading(checkpoint, () =>
        {
            using var state = checkpoint.OpenOptimizer();
            optimizer.Restore(state);
        });
        Rng.SetState(checkpoint.Rng.TorchCpu);
        if (device.IsCuda && checkpoint.Rng.TorchCuda.Count > 0)
            Rng.SetState(checkpoint.Rng.TorchCuda[0], device);
        return DataState.FromJson(checkpoint.DataStateJson, Path.Combine(checkpoint.Directory, CheckpointFiles.Data));
    }

    /// <summary>Overwrites the parameters (this rank's part of them, when sharded) from <paramref name="checkpoint"/>'s model tensors.</summary>
    /// <exception cref="CheckpointException">A parameter is missing or has another shape.</exception>
    public static void RestoreWeights(Checkpoint checkpoint, TrainingOptimizer optimizer) => Reading(checkpoint, () =>
    {
        using var weights = checkpoint.OpenModel();
        optimizer.RestoreParameters(weights);
    });

    // A checkpoint that verified but does not fit this model is the checkpoint's problem: say which one.
    private static void Reading(Checkpoint checkpoint, Action read)
    {
        try
        {
            read();
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(checkpoint.Directory, e.Message.TrimEnd('.'), e);
        }
    }
}
