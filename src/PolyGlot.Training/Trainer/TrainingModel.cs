using PolyGlot.Model;
using PolyGlot.Model.Layers;
using PolyGlot.Torch;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Trainer;

/// <summary>The model a run configuration trains, set up the way the trainer runs it.</summary>
public static class TrainingModel
{
    /// <summary>
    /// Builds the model of <paramref name="config"/> on <paramref name="device"/> from
    /// <c>training.seed</c>, with the configured compute precision, loss chunking and activation checkpointing.
    /// </summary>
    public static TransformerModel Create(RunConfig config, Device device)
    {
        var model = TransformerModel.Create(config.Model, device, (ulong)config.Training.Seed);
        model.Precision = ComputePrecision.Parse(config.Precision.Compute);
        model.LossChunkPositions = config.Training.LossChunkTokens;
        model.ActivationCheckpointing = config.Training.ActivationCheckpointing;
        return model;
    }
}
