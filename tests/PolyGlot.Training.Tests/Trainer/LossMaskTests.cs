using System.Net;
using System.Net.Sockets;
using PolyGlot.Data.Loading;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Guards;
using PolyGlot.Training.Optimization;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Training.Tests.Trainer;

[Collection(TorchStateCollection.Name)]
public sealed class LossMaskTests
{
    private const int SeqLen = 8, RowLength = SeqLen + 1;
    private static readonly ModelConfig Shape = new() { VocabSize = 20, DModel = 8, NLayers = 1, NHeads = 2, MaxSeqLen = SeqLen };

    // Two rows of 9 tokens; row 0 trains 2 targets, row 1 trains 5, so a per-micro-batch mean
    // would weigh their tokens differently from the mean over the global batch.
    private static readonly int[] Tokens = [5, 6, 7, 8, 9, 10, 11, 12, 13, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    private static readonly byte[] Mask = [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1];

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    public void LossAndGradientAreTheMeanOverTrainedTargets_When_MicroBatchSplitVaries(int microRows, int accumulation)
    {
        // Given the reference: the mean loss over the masked-in targets, in one forward, and its gradient norm
        var (referenceLoss, referenceNorm) = Reference();

        // When a training step runs the masked batch split into `accumulation` micro-batches
        var result = Step(Tokens, microRows, accumulation);

        // Then its loss and gradient norm are the reference's
        Assert.Equal(referenceLoss, result.Loss, 1e-6);
        Assert.Equal(referenceNorm, result.GradNorm, 1e-6);
    }

    [Fact]
    public void LossAndGradientAreTheMeanOverTrainedTargets_When_TwoRanksHoldUnequalTrainedTargets()
    {
        // Given the reference over both rows, and two ranks that hold one row each (2 and 5 trained targets)
        var (referenceLoss, referenceNorm) = Reference();
        var port = FreePort();
        var results = new StepResult?[2];
        var failures = new Exception?[2];

        // When each rank trains its row and gradients are averaged over gloo
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = RankStep(rank, port);
            }
            catch (Exception e)
            {
                failures[rank] = e;
            }
        }, maxStackSize: 16 << 20)).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();

        // Then every rank reports the reference's loss and gradient norm
        Assert.All(failures, Assert.Null);
        Assert.All(results, r => Assert.Equal(referenceLoss, r!.Loss, 1e-6));
        Assert.All(results, r => Assert.Equal(referenceNorm, r!.GradNorm, 1e-6));
    }

    [Fact]
    public void LossIsUnchanged_When_AMaskedOutTargetChanges()
    {
        // Given a batch whose last token of row 0 is masked out (a target only, never an input)
        var changed = (int[])Tokens.Clone();
        changed[RowLength - 1] = 17;

        // When both batches are trained from the same weights
        var original = Step(Tokens, 2, 1);
        var other = Step(changed, 2, 1);

        // Then the loss and the gradient are exactly the same
        Assert.Equal(original.Loss, other.Loss);
        Assert.Equal(original.GradNorm, other.GradNorm);
    }

    [Fact]
    public void LossChanges_When_AMaskedInTargetChanges()
    {
        // Given a batch whose last token of row 1 (masked in) is changed
        var changed = (int[])Tokens.Clone();
        changed[^1] = 17;

        // When both batches are trained from the same weights
        var original = Step(Tokens, 2, 1);
        var other = Step(changed, 2, 1);

        // Then the loss differs: that token is counted
        Assert.NotEqual(original.Loss, other.Loss);
    }

    private static StepResult Step(int[] tokens, int microRows, int accumulation)
    {
        using var model = TransformerModel.Create(Shape, Device.Cpu, seed: 11);
        using var optimizer = new TrainingOptimizer(model.Parameters, new OptimizerConfig { Lr = 0.01, GradClip = 1000 });
        using var step = new TrainingStep(model, optimizer, new LossGuard(new GuardConfig()), microRows, accumulation, SeqLen, languages: 1);
        using var batch = Batch.OfTokens(tokens, 2, RowLength, "en", Mask);
        return step.Run(batch, learningRate: 0.01);
    }

    private static StepResult RankStep(int rank, int port)
    {
        var distributed = new DistributedConfig { Backend = "gloo", TimeoutS = 60 };
        using var parallel = DataParallel.Join(new LaunchEnvironment(rank, 2, rank, 2, "127.0.0.1", port, "test"), distributed, Device.Cpu);
        using var model = TransformerModel.Create(Shape, Device.Cpu, seed: 11);
        using var optimizer = TrainingOptimizer.For(model, new OptimizerConfig { Lr = 0.01, GradClip = 1000 }, parallel, zeroStage: 0);
        using var step = new TrainingStep(model, optimizer, new LossGuard(new GuardConfig()), 1, 1, SeqLen, languages: 1, parallel);
        var row = Tokens.AsSpan(rank * RowLength, RowLength).ToArray();
        using var batch = Batch.OfTokens(row, 1, RowLength, "en", Mask.AsSpan(rank * RowLength, RowLength).ToArray());
        return step.Run(batch, learningRate: 0.01);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (double Loss, double Norm) Reference()
    {
        using var model = TransformerModel.Create(Shape, Device.Cpu, seed: 11);
        using var optimizer = new TrainingOptimizer(model.Parameters, new OptimizerConfig { Lr = 0.01, GradClip = 1000 });
        using var scope = DisposeScope.Enter();
        var inputs = new long[2 * SeqLen];
        var targets = new long[2 * SeqLen];
        for (var r = 0; r < 2; r++)
            for (var t = 0; t < SeqLen; t++)
            {
                var i = r * RowLength + t;
                inputs[r * SeqLen + t] = Tokens[i];
                targets[r * SeqLen + t] = Mask[i + 1] == 1 ? Tokens[i + 1] : TransformerModel.IgnoreIndex;
            }
        var loss = model.Loss(Tensor.FromArray(inputs, 2, SeqLen), Tensor.FromArray(targets, 2, SeqLen));
        loss.Backward();
        var value = loss.To(DType.Float64).ToArray<double>()[0];
        return (value, optimizer.ClipGradients());
    }
}
