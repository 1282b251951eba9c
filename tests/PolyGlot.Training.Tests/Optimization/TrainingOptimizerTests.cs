using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Optimization;

namespace PolyGlot.Training.Tests.Optimization;

[Collection(Trainer.TorchStateCollection.Name)]
public sealed class TrainingOptimizerTests
{
    private static readonly ModelConfig Shape = new() { VocabSize = 20, DModel = 8, NLayers = 1, NHeads = 2, MaxSeqLen = 4 };

    [Fact]
    public void RestoredOptimizerTakesIdenticalStep_When_StateSavedAndLoaded()
    {
        // Given two identical models; the first's optimizer has taken two steps and its state is saved
        using var first = TransformerModel.Create(Shape, Device.Cpu, seed: 3);
        using var second = TransformerModel.Create(Shape, Device.Cpu, seed: 3);
        using var a = new TrainingOptimizer(first.Parameters, new OptimizerConfig { Lr = 0.01 });
        using var b = new TrainingOptimizer(second.Parameters, new OptimizerConfig { Lr = 0.01 });
        Step(first, a);
        Step(first, a);
        foreach (var (p, q) in first.Parameters.Zip(second.Parameters))
            q.Tensor.Detach().CopyFrom(p.Tensor.Detach());
        var file = Path.Combine(Path.GetTempPath(), $"pg-optim-{Guid.NewGuid():N}.safetensors");
        SafetensorsPayload.Save(file, a.StatePayloads());

        // When the second optimizer restores that state and both take one more step
        using (var saved = CheckpointTensors.Open(file))
            b.Restore(saved);
        File.Delete(file);
        Step(first, a);
        Step(second, b);

        // Then step counts and every parameter agree exactly
        Assert.Equal(3, b.StepCount);
        foreach (var (p, q) in first.Parameters.Zip(second.Parameters))
            Assert.Equal(p.Tensor.ToBytes(), q.Tensor.ToBytes());
    }

    [Fact]
    public void ClipsToMaxNorm_When_GradientsLarger()
    {
        // Given gradients of a large loss and grad_clip 0.5
        using var model = TransformerModel.Create(Shape, Device.Cpu, seed: 3);
        using var optimizer = new TrainingOptimizer(model.Parameters, new OptimizerConfig { GradClip = 0.5 });
        using var scope = DisposeScope.Enter();
        model.Loss(Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 1, 4), Tensor.FromArray(new long[] { 2, 3, 4, 5 }, 1, 4)).Mul(1000).Backward();

        // When gradients are clipped
        var before = optimizer.ClipGradients();
        var after = optimizer.ClipGradients();

        // Then the norm before is reported and the norm after is 0.5
        Assert.True(before > 0.5);
        Assert.Equal(0.5, after, 1e-4);
    }

    private static void Step(TransformerModel model, TrainingOptimizer optimizer)
    {
        using var scope = DisposeScope.Enter();
        model.Loss(Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 1, 4), Tensor.FromArray(new long[] { 2, 3, 4, 5 }, 1, 4)).Backward();
        optimizer.ClipGradients();
        optimizer.Step();
        optimizer.ZeroGrad();
    }
}
