using PolyGlot.Torch.Runtime;
using PolyGlot.Torch.Tests.Runtime;
using Xunit.Abstractions;

namespace PolyGlot.Torch.Tests;

/// <summary>
/// Which kernel scaled-dot-product attention runs: libtorch 2.x dispatches to its fused kernels
/// (flash attention on the CPU from 2.2), 1.13 has only the math path. The suite runs on both
/// (scripts/test.sh, scripts/test-torch2.sh), so each run exercises and names its own path.
/// </summary>
public sealed class AttentionBackendTests(ITestOutputHelper output)
{
    [Fact]
    public void IsFlashFromLibtorch22AndMathBefore_When_CausalFloat32OnTheCpu()
    {
        // Given causal float32 attention inputs on the CPU
        using var scope = DisposeScope.Enter();
        var q = Tensor.Randn([2, 4, 16, 8]);
        var k = Tensor.Randn([2, 4, 16, 8]);
        var v = Tensor.Randn([2, 4, 16, 8]);

        // When asking which kernel ScaledDotProductAttention takes
        var backend = Functional.ScaledDotProductAttentionBackend(q, k, v, isCausal: true);

        // Then it is the fused flash kernel on libtorch 2.2 and later, the math path on 1.13
        output.WriteLine($"attention path on libtorch {TorchRuntime.Version}: {backend}");
        Assert.Equal(Libtorch.AtLeast(2, 2) ? AttentionBackend.Flash : AttentionBackend.Math, backend);
    }

    [Fact]
    public void GradientsMatchTheExplicitFormula_When_AttentionIsCausal()
    {
        // Given q, k, v of shape (B 2, H 2, T 12, D 8) that require gradients, and the same values
        // for an explicit softmax(q kᵀ / sqrt(D) + causal mask) v
        using var scope = DisposeScope.Enter();
        var inputs = Enumerable.Range(0, 3).Select(_ => Tensor.Randn([2, 2, 12, 8])).ToArray();
        var fused = inputs.Select(Leaf).ToArray();
        var plain = inputs.Select(Leaf).ToArray();
        var weights = Tensor.Randn([2, 2, 12, 8]);

        // When both are differentiated through a weighted sum
        var y = Functional.ScaledDotProductAttention(fused[0], fused[1], fused[2], isCausal: true);
        (y * weights).Sum().Backward();
        var scores = plain[0].MatMul(plain[1].Transpose(-2, -1)) / Math.Sqrt(8);
        var future = Tensor.Ones([12, 12], DType.Bool).Triu(1);
        var expected = Functional.Softmax(scores.MaskedFill(future, double.NegativeInfinity), -1).MatMul(plain[2]);
        (expected * weights).Sum().Backward();

        // Then the outputs and the gradients of q, k and v agree to float32 rounding (the fused
        // kernels sum in another order than the explicit matmuls; 1e-5 of each tensor's scale)
        output.WriteLine($"attention path: {Functional.ScaledDotProductAttentionBackend(fused[0], fused[1], fused[2], isCausal: true)}");
        Reference.Tolerance.AssertClose(expected.ToArray<float>(), y.ToArray<float>(), 1e-5, "output");
        string[] names = ["q", "k", "v"];
        for (var i = 0; i < 3; i++)
            Reference.Tolerance.AssertClose(plain[i].Grad!.ToArray<float>(), fused[i].Grad!.ToArray<float>(), 1e-5, $"d{names[i]}");
    }

    private static Tensor Leaf(Tensor values)
    {
        var leaf = values.Detach().Clone();
        leaf.RequiresGrad = true;
        return leaf;
    }
}
