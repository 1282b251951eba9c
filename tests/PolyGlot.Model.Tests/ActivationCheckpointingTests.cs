using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Model.Tests;

[Collection(TorchStateCollection.Name)]
public sealed class ActivationCheckpointingTests
{
    private const double RelativeTolerance = 1e-6;

    [Theory]
    [InlineData("polylm", 0.0, false)]
    [InlineData("llama", 0.0, false)]
    [InlineData("polylm", 0.0, true)]
    [InlineData("llama", 0.0, true)]
    [InlineData("polylm", 0.2, false)]   // dropout: the recomputation must replay the same masks
    [InlineData("llama", 0.2, true)]
    public void LossesAndEveryGradientEqualThePlainBackward_When_BlocksAreRecomputed(string layout, double dropout, bool documents)
    {
        // Given a model, a batch with ignored targets and, for some cases, two documents per row
        using var model = TransformerModel.Create(Config(layout, dropout, layers: 3), Device.Cpu, seed: 8);
        using var scope = DisposeScope.Enter();
        var (inputs, targets, layoutOfDocuments) = Batch(model.Config.VocabSize, documents);

        // When the same step runs plain and with activation checkpointing from the same generator state
        var plain = Step(model, inputs, targets, layoutOfDocuments, checkpointing: false);
        var recomputed = Step(model, inputs, targets, layoutOfDocuments, checkpointing: true);

        // Then losses, every parameter's gradient and the generator state afterwards agree
        AssertClose(plain.Losses, recomputed.Losses, "token losses");
        foreach (var parameter in model.Parameters)
            AssertClose(plain.Gradients[parameter.Name], recomputed.Gradients[parameter.Name], parameter.Name);
        Assert.Equal(plain.NextRandom, recomputed.NextRandom);
    }

    [Fact]
    public void PeakMemoryFalls_When_BlocksAreRecomputed()
    {
        // Given an 8-block model whose activations dominate its memory
        using var model = TransformerModel.Create(Config("llama", 0.0, layers: 8, width: 64, maxSeqLen: 128), Device.Cpu, seed: 2);
        using var scope = DisposeScope.Enter();
        var tokens = Tensor.RandInt(0, model.Config.VocabSize, [4, 129]);
        var (inputs, targets) = (tokens.Narrow(1, 0, 128), tokens.Narrow(1, 1, 128).Contiguous());

        // When one forward + backward runs each way, counting libtorch's allocations
        var plainPeak = PeakBytes(model, inputs, targets, checkpointing: false);
        var recomputedPeak = PeakBytes(model, inputs, targets, checkpointing: true);

        // Then keeping only block inputs needs well under half the plain peak (gradients included)
        Assert.True(recomputedPeak * 2 < plainPeak, $"peak {recomputedPeak:N0} B with recomputation vs {plainPeak:N0} B plain");
    }

    private static (float[] Losses, Dictionary<string, float[]> Gradients, float[] NextRandom) Step(
        TransformerModel model, Tensor inputs, Tensor targets, DocumentLayout? documents, bool checkpointing)
    {
        using var scope = DisposeScope.Enter();
        Tensor.ZeroGrads(model.Parameters.Select(p => p.Tensor).ToList(), setToNone: true);
        Rng.ManualSeed(77);
        model.ActivationCheckpointing = checkpointing;
        var losses = model.BackwardTokenLosses(inputs, targets, lossDivisor: 21.0, documents);
        return (losses.ToArray<float>(), model.Parameters.ToDictionary(p => p.Name, p => p.Tensor.Grad!.ToArray<float>()),
            Tensor.Rand([4]).ToArray<float>());
    }

    // The tracker outlives the scope, so that every block it counted is also freed while it counts.
    private static long PeakBytes(TransformerModel model, Tensor inputs, Tensor targets, bool checkpointing)
    {
        Tensor.ZeroGrads(model.Parameters.Select(p => p.Tensor).ToList(), setToNone: true);
        model.ActivationCheckpointing = checkpointing;
        using var memory = CpuMemoryTracker.Start();
        using (DisposeScope.Enter())
            model.BackwardTokenLosses(inputs, targets, lossDivisor: inputs.NumEl);
        return memory.PeakBytes;
    }

    private static (Tensor Inputs, Tensor Targets, DocumentLayout? Documents) Batch(long vocab, bool documents)
    {
        var tokens = Tensor.RandInt(0, vocab, [2, 13]);
        var targets = tokens.Narrow(1, 1, 12).Contiguous();
        targets.Narrow(1, 0, 2).Fill(TransformerModel.IgnoreIndex);
        if (!documents)
            return (tokens.Narrow(1, 0, 12), targets, null);
        long[] positions = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6], segments = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
        var layout = new DocumentLayout(Tensor.FromArray<long>([.. positions, .. positions], 2, 12),
            Tensor.FromArray<long>([.. segments, .. segments], 2, 12));
        return (tokens.Narrow(1, 0, 12), targets, layout);
    }

    private static ModelConfig Config(string layout, double dropout, int layers, int width = 32, int maxSeqLen = 16) => new()
    {
        Layout = layout, VocabSize = 64, DModel = width, NLayers = layers, NHeads = 4, NKvHeads = layout == "llama" ? 2 : null,
        FfnHidden = 2 * width, MaxSeqLen = maxSeqLen, InitStd = 0.1, Dropout = dropout,
    };

    // Each tensor within 1e-6 of its norm (the recomputation repeats the same kernels, so in
    // practice the two agree bit for bit).
    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += Math.Pow(expected[i] - (double)actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }
        Assert.True(Math.Sqrt(difference) <= RelativeTolerance * Math.Sqrt(norm) + 1e-12,
            $"{what}: |difference| {Math.Sqrt(difference):E3} vs |expected| {Math.Sqrt(norm):E3}");
    }
}
