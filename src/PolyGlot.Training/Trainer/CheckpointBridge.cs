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
    /// <summary>The checkpoint of the state after <paramref name="trainer"/>.Step steps.</summary>
    public static CheckpointData Capture(TransformerModel model, TrainingOptimizer optimizer, TrainerState trainer, DataState data,
        long seed, string configYaml, CheckpointCompatibility compatibility) => new()
    {
        Step = trainer.Step,
        ModelTensors = model.Parameters.Select(p => SafetensorsTensors.Payload(p.Name, p.Tensor)).ToList(),
        OptimizerTensors = optimizer.StatePayloads(),
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
    public static DataState Restore(Checkpoint checkpoint, TransformerModel model, TrainingOptimizer optimizer)
    {
        optimizer.WithWholeParameters(() => RestoreWeights(checkpoint, model), writesValues: true);
        using (var state = checkpoint.OpenOptimizer())
            optimizer.Restore(state);
        Rng.SetState(checkpoint.Rng.TorchCpu);
        if (model.Device.IsCuda && checkpoint.Rng.TorchCuda.Count > 0)
            Rng.SetState(checkpoint.Rng.TorchCuda[0], model.Device);
        return DataState.FromJson(checkpoint.DataStateJson, Path.Combine(checkpoint.Directory, CheckpointFiles.Data));
    }

    /// <summary>Overwrites the parameters from <paramref name="checkpoint"/>'s model tensors.</summary>
    public static void RestoreWeights(Checkpoint checkpoint, TransformerModel model)
    {
        using var weights = checkpoint.OpenModel();
        using var noGrad = new NoGradScope();
        foreach (var parameter in model.Parameters)
        {
            if (!weights.Contains(parameter.Name))
                throw new CheckpointException(checkpoint.Directory, $"{CheckpointFiles.Model} holds no tensor '{parameter.Name}'");
            weights.CopyInto(parameter.Name, parameter.Tensor);
        }
    }
}
