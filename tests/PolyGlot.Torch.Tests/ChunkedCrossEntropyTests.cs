using System.Diagnostics;
using PolyGlot.Torch.Runtime;
using PolyGlot.Torch.Tests.Reference;
using Xunit.Abstractions;

namespace PolyGlot.Torch.Tests;

public sealed class ChunkedCrossEntropyTests(ITestOutputHelper output)
{
    private const long Ignore = -100;

    [Theory]
    [InlineData(1)]     // one position per chunk
    [InlineData(8)]     // 8 does not divide N = 37: the last chunk holds 5
    [InlineData(37)]    // one chunk of exactly N
    [InlineData(100)]   // a chunk larger than N
    public void LossesAndGradientsEqualThePlainCrossEntropy_When_ChunkedByAnySize(long chunk)
    {
        // Given hidden states (37, 16), a head (50, 16) and targets with three ignored positions
        using var scope = DisposeScope.Enter();
        var (hidden, weight, targets, upstream) = Problem(positions: 37, width: 16, vocab: 50);

        // When the loss and its gradients are computed chunked and plain
        var chunked = LossAndGradients(hidden, weight, targets, upstream, chunk);
        var plain = LossAndGradients(hidden, weight, targets, upstream, chunk: 0);

        // Then per-token losses and the gradients w.r.t. hidden and W agree within 1e-5 relative
        Reference.Tolerance.AssertClose(plain.Losses, chunked.Losses, 1e-5, "token losses");
        Reference.Tolerance.AssertClose(plain.GradHidden, chunked.GradHidden, 1e-5, "d hidden");
        Reference.Tolerance.AssertClose(plain.GradWeight, chunked.GradWeight, 1e-5, "d weight");
    }

    [Fact]
    public void LossesAndGradientsMatchPyTorch_When_ChunksDoNotDivideThePositions()
    {
        // Given PyTorch's cross_entropy(hidden @ W.T) over 45 positions (3 ignored), back-propagated
        // with per-position weights (scripts/reference/torch_loss.py)
        using var reference = PyTorchReference.Run("torch_loss.py");
        using var scope = DisposeScope.Enter();

        // When the same loss is computed in chunks of 16 (16 + 16 + 13)
        var result = LossAndGradients(reference.Tensor("hidden"), reference.Tensor("weight"), reference.Tensor("targets"),
            reference.Tensor("upstream"), chunk: 16);

        // Then losses and both gradients agree within 1e-5 relative
        Reference.Tolerance.AssertClose(reference.Floats("losses"), result.Losses, 1e-5, "token losses");
        Reference.Tolerance.AssertClose(reference.Floats("grad_hidden"), result.GradHidden, 1e-5, "d hidden");
        Reference.Tolerance.AssertClose(reference.Floats("grad_weight"), result.GradWeight, 1e-5, "d weight");
    }

    [Fact]
    public void IgnoredPositionsHaveZeroLossAndZeroGradient_When_TargetIsTheIgnoreIndex()
    {
        // Given targets whose positions 0, 10 and 20 are ignored
        using var scope = DisposeScope.Enter();
        var (hidden, weight, targets, upstream) = Problem(positions: 37, width: 16, vocab: 50);

        // When computed in chunks of 8
        var result = LossAndGradients(hidden, weight, targets, upstream, chunk: 8);

        // Then those positions contribute nothing, and every other loss is positive
        foreach (var i in new[] { 0, 10, 20 })
        {
            Assert.Equal(0f, result.Losses[i]);
            Assert.All(result.GradHidden.AsSpan(i * 16, 16).ToArray(), g => Assert.Equal(0f, g));
        }
        Assert.All(result.Losses.Where((_, i) => i is not (0 or 10 or 20)), l => Assert.True(l > 0));
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void ReductionEqualsThePlainCrossEntropy_When_MeanOrSum(Reduction reduction)
    {
        // Given a problem with ignored targets
        using var scope = DisposeScope.Enter();
        var (hidden, weight, targets, _) = Problem(positions: 37, width: 16, vocab: 50);

        // When reduced chunked and plain
        var chunked = Functional.ChunkedCrossEntropy(hidden, weight, targets, Ignore, chunkPositions: 8, reduction).ToSingle();
        var plain = Functional.CrossEntropy(Functional.Linear(hidden, weight), targets, Ignore, reduction).ToSingle();

        // Then both agree (the mean counts only positions whose target is not ignored)
        Reference.Tolerance.AssertClose([plain], [chunked], 1e-5, reduction.ToString());
    }

    [Fact]
    public void BFloat16InputsGiveBFloat16GradientsCloseToThePlainPath_When_ComputeIsBFloat16()
    {
        // Given bfloat16 hidden states and head (logits are still taken in float32)
        using var scope = DisposeScope.Enter();
        var (hidden, weight, targets, upstream) = Problem(positions: 37, width: 16, vocab: 50);
        var h16 = hidden.To(DType.BFloat16);
        var w16 = weight.To(DType.BFloat16);

        // When chunked, and plain with the same casts
        var chunked = LossAndGradients(h16, w16, targets, upstream, chunk: 8);
        var plain = LossAndGradients(h16, w16, targets, upstream, chunk: 0);

        // Then both agree to bfloat16 precision: 8 bits of mantissa, and d hidden sums V terms of
        // (softmax - onehot) W that cancel (each row of softmax - onehot sums to 0)
        Reference.Tolerance.AssertClose(plain.Losses, chunked.Losses, 1e-2, "token losses");
        Reference.Tolerance.AssertClose(plain.GradHidden, chunked.GradHidden, 5e-2, "d hidden");
        Reference.Tolerance.AssertClose(plain.GradWeight, chunked.GradWeight, 5e-2, "d weight");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void ThrowsNamingTheChunk_When_ChunkIsBelowOne(long chunk)
    {
        using var scope = DisposeScope.Enter();
        var (hidden, weight, targets, _) = Problem(positions: 4, width: 8, vocab: 10);

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => Functional.ChunkedCrossEntropy(hidden, weight, targets, chunkPositions: chunk));

        Assert.Equal("chunkPositions", error.ParamName);
    }

    [Fact]
    public void ThrowsNamingTheShapes_When_HiddenAndWeightWidthsDiffer()
    {
        // Given hidden states of width 8 and a head of width 6
        using var scope = DisposeScope.Enter();
        var hidden = Tensor.Randn([4, 8]);
        var weight = Tensor.Randn([10, 6]);
        var targets = Tensor.Zeros([4], DType.Int64);

        // When the loss is asked for, Then the error names the operation and both shapes
        var error = Assert.Throws<TorchException>(() => Functional.ChunkedCrossEntropy(hidden, weight, targets, chunkPositions: 2));
        Assert.Equal(nameof(Functional.ChunkedCrossEntropy), error.Operation);
        Assert.Contains("hidden (4, 8), weight (10, 6)", error.NativeMessage);
    }

    [Fact]
    public void ThrowsNamingTheCounts_When_TargetsAndPositionsDiffer()
    {
        using var scope = DisposeScope.Enter();
        var hidden = Tensor.Randn([4, 8]);
        var weight = Tensor.Randn([10, 8]);
        var targets = Tensor.Zeros([5], DType.Int64);

        var error = Assert.Throws<TorchException>(() => Functional.ChunkedCrossEntropy(hidden, weight, targets, chunkPositions: 2));

        Assert.Contains("targets (5)", error.NativeMessage);
    }

    [Fact]
    public void Throws_When_ATargetIsOutsideTheVocabulary()
    {
        using var scope = DisposeScope.Enter();
        var hidden = Tensor.Randn([4, 8]);
        var weight = Tensor.Randn([10, 8]);
        var targets = Tensor.FromSpan<long>([1, 2, 10, 3], [4]);

        var error = Assert.Throws<TorchException>(() => Functional.ChunkedCrossEntropy(hidden, weight, targets, chunkPositions: 2));

        Assert.Contains("out of bounds", error.NativeMessage);
    }

    [Fact]
    public void PeakMemoryIsFarBelowThePlainLoss_When_TheVocabularyHas256KTokens()
    {
        // Given PolyLM's vocabulary (V = 256,000) and, unless scripts/bench-loss.sh asks for another
        // shape, 256 positions of width 64: the plain loss's float32 logits alone take
        // 256 x 256,000 x 4 B = 262 MB, chunks of 32 positions 33 MB
        const long vocab = 256_000;
        var (positions, width, chunk) = MeasuredShape();
        using var scope = DisposeScope.Enter();
        Rng.ManualSeed(5);
        var hidden = Tensor.Randn([positions, width]) * 0.5;
        var weight = Tensor.Randn([vocab, width]) * 0.05;
        var targets = Tensor.RandInt(0, vocab, [positions]);

        // When forward + backward run each way under libtorch's allocator counter
        var plain = MeasureLoss(hidden, weight, targets, chunk: 0);
        var chunked = MeasureLoss(hidden, weight, targets, chunk);
        output.WriteLine($"N {positions}, C {width}, V {vocab}, chunk {chunk}, {TorchRuntime.Threads} libtorch threads");
        output.WriteLine($"plain:   peak {plain.PeakBytes / 1e6:F0} MB, {plain.Seconds:F2} s, loss {plain.Loss:F6}");
        output.WriteLine($"chunked: peak {chunked.PeakBytes / 1e6:F0} MB, {chunked.Seconds:F2} s, loss {chunked.Loss:F6}");

        // Then the plain peak holds at least the logits and their log-softmax, the chunked one stays
        // below a quarter of it, and both give the same loss
        Assert.True(plain.PeakBytes >= 2 * positions * vocab * 4, $"plain peak {plain.PeakBytes} B");
        Assert.True(chunked.PeakBytes < plain.PeakBytes / 4, $"chunked peak {chunked.PeakBytes} B vs plain {plain.PeakBytes} B");
        Reference.Tolerance.AssertClose([plain.Loss], [chunked.Loss], 1e-5, "mean loss");
    }

    // POLYGLOT_BENCH_LOSS="positions,width,chunk" (set by scripts/bench-loss.sh) measures another shape.
    private static (long Positions, long Width, long Chunk) MeasuredShape()
    {
        var setting = Environment.GetEnvironmentVariable("POLYGLOT_BENCH_LOSS");
        if (string.IsNullOrEmpty(setting))
            return (256, 64, 32);
        var parts = setting.Split(',').Select(long.Parse).ToArray();
        return parts.Length == 3
            ? (parts[0], parts[1], parts[2])
            : throw new ArgumentException($"POLYGLOT_BENCH_LOSS must be 'positions,width,chunk', got '{setting}'.");
    }

    // Sum of the upstream-weighted losses, so that backward sees a gradient other than ones.
    private static (float[] Losses, float[] GradHidden, float[] GradWeight) LossAndGradients(
        Tensor hidden, Tensor weight, Tensor targets, Tensor upstream, long chunk)
    {
        using var scope = DisposeScope.Enter();
        var h = hidden.Detach();
        var w = weight.Detach();
        h.RequiresGrad = true;
        w.RequiresGrad = true;
        var losses = chunk == 0
            ? Functional.CrossEntropy(Functional.Linear(h, w).To(DType.Float32), targets, Ignore, Reduction.None)
            : Functional.ChunkedCrossEntropy(h, w, targets, Ignore, chunk, Reduction.None);
        Assert.Equal(DType.Float32, losses.DType);
        (losses * upstream).Sum().Backward();
        Assert.Equal(hidden.DType, h.Grad!.DType);
        Assert.Equal(weight.DType, w.Grad!.DType);
        return (losses.ToArray<float>(), h.Grad.To(DType.Float32).ToArray<float>(), w.Grad.To(DType.Float32).ToArray<float>());
    }

    private static (Tensor Hidden, Tensor Weight, Tensor Targets, Tensor Upstream) Problem(long positions, long width, long vocab)
    {
        Rng.ManualSeed(3);
        var hidden = Tensor.Randn([positions, width]);
        var weight = Tensor.Randn([vocab, width]) * 0.3;
        var targets = Tensor.RandInt(0, vocab, [positions]);
        var ignored = Tensor.Zeros([positions], DType.Bool);
        foreach (var i in new long[] { 0, 10, 20 }.Where(i => i < positions))
            ignored.Narrow(0, i, 1).Fill(1);
        targets = targets.MaskedFill(ignored, Ignore);
        var upstream = Tensor.Rand([positions]) + 0.5;
        return (hidden, weight, targets, upstream);
    }

    // The tracker outlives the scope, so that every block it counted is also freed while it counts.
    private static (long PeakBytes, double Seconds, float Loss) MeasureLoss(Tensor hidden, Tensor weight, Tensor targets, long chunk)
    {
        using var memory = CpuMemoryTracker.Start();
        var clock = Stopwatch.StartNew();
        float value;
        using (DisposeScope.Enter())
        {
            var h = hidden.Detach();
            var w = weight.Detach();
            h.RequiresGrad = true;
            w.RequiresGrad = true;
            var loss = chunk == 0
                ? Functional.CrossEntropy(Functional.Linear(h, w), targets, Ignore)
                : Functional.ChunkedCrossEntropy(h, w, targets, Ignore, chunk);
            loss.Backward();
            value = loss.ToSingle();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(0, memory.CurrentBytes);  // nothing of the loss outlives its scope
        return (memory.PeakBytes, seconds, value);
    }
}
