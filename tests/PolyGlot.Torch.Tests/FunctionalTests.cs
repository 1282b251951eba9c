namespace PolyGlot.Torch.Tests;

public sealed class FunctionalTests
{
    [Fact]
    public void SoftmaxRowsSumToOneAndLogSoftmaxIsItsLog_When_AppliedToTheLastDimension()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f, 0f, 0f, 0f }, 2, 3);

        var p = Functional.Softmax(x, -1);
        var logp = Functional.LogSoftmax(x, -1);

        Reference.Tolerance.AssertClose([1f, 1f], p.Sum(1).ToArray<float>(), 1e-6, "row sums");
        Reference.Tolerance.AssertClose(p.Log().ToArray<float>(), logp.ToArray<float>(), 1e-6, "log softmax");
        Reference.Tolerance.AssertClose([1f / 3, 1f / 3, 1f / 3], p.Select(0, 1).ToArray<float>(), 1e-6, "uniform row");
    }

    [Fact]
    public void CausalAttentionOfTheFirstPositionIsItsValue_When_IsCausal()
    {
        // Given random q, k, v of shape (B 1, H 2, T 4, D 8)
        using var scope = DisposeScope.Enter();
        var q = Tensor.Randn([1, 2, 4, 8]);
        var k = Tensor.Randn([1, 2, 4, 8]);
        var v = Tensor.Randn([1, 2, 4, 8]);

        // When attention is causal
        var y = Functional.ScaledDotProductAttention(q, k, v, isCausal: true);

        // Then position 0 sees only itself, and later positions match the explicit formula
        Reference.Tolerance.AssertClose(v.Narrow(2, 0, 1).ToArray<float>(), y.Narrow(2, 0, 1).ToArray<float>(), 1e-6, "position 0");
        var scores = q.MatMul(k.Transpose(-2, -1)) / Math.Sqrt(8);
        var future = Tensor.Ones([4, 4], DType.Bool).Triu(1);
        var expected = Functional.Softmax(scores.MaskedFill(future, double.NegativeInfinity), -1).MatMul(v);
        Reference.Tolerance.AssertClose(expected.ToArray<float>(), y.ToArray<float>(), 1e-5, "all positions");
    }

    [Fact]
    public void RotaryKeepsNormsAndLeavesPositionZero_When_Applied()
    {
        // Given vectors at 5 positions with head dimension 8
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([1, 1, 5, 8]);
        var (cos, sin) = Functional.RotaryTables(5, 8);

        // When rotated
        var y = Functional.ApplyRotary(x, cos, sin);

        // Then rotations preserve each vector's norm and position 0 (angle 0) is unchanged
        Reference.Tolerance.AssertClose(x.Square().Sum(-1).ToArray<float>(), y.Square().Sum(-1).ToArray<float>(), 1e-5, "norms");
        Assert.Equal(x.Narrow(2, 0, 1).ToArray<float>(), y.Narrow(2, 0, 1).ToArray<float>());
        Assert.Equal([5L, 8L], cos.Shape);
    }

    [Fact]
    public void RmsNormGivesUnitRootMeanSquare_When_WeightIsOmitted()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([3, 16]) * 5;

        var y = Functional.RmsNorm(x, eps: 0);

        Reference.Tolerance.AssertClose([1f, 1f, 1f], y.Square().Mean(1).ToArray<float>(), 1e-5, "mean square");
    }

    [Fact]
    public void RmsNormKeepsTheInputDType_When_InputIsBFloat16()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([2, 8]).To(DType.BFloat16);

        var y = Functional.RmsNorm(x, Tensor.Ones([8], DType.BFloat16));

        Assert.Equal(DType.BFloat16, y.DType);
    }

    [Fact]
    public void DropoutZeroesAboutPAndRescales_When_Training()
    {
        // Given ones and p = 0.25
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([10000]);

        // When dropout runs in training and in evaluation mode
        var trained = Functional.Dropout(x, 0.25, training: true);
        var evaluated = Functional.Dropout(x, 0.25, training: false);

        // Then about a quarter is zero, the rest is 1/(1-p), and evaluation is the identity
        var zeros = trained.Eq(0).To(DType.Float32).Mean().ToDouble();
        Assert.InRange(zeros, 0.22, 0.28);
        Assert.Equal(1 / 0.75, trained.Max().ToDouble(), 5);
        Assert.Equal(10000f, evaluated.Sum().ToSingle());
    }

    [Fact]
    public void GroupedQueryHeadsRepeatInOrder_When_RepeatInterleaved()
    {
        using var scope = DisposeScope.Enter();
        var kv = Tensor.FromArray(new[] { 1f, 2f }, 1, 2, 1, 1); // (B, Hkv 2, T, D)

        var repeated = kv.RepeatInterleave(2, dim: 1);

        Assert.Equal([1f, 1f, 2f, 2f], repeated.ToArray<float>());
    }

    [Fact]
    public void EmbeddingGradientAccumulatesPerRow_When_IndicesRepeat()
    {
        // Given a 3x2 table and indices [0, 2, 0]
        using var scope = DisposeScope.Enter();
        var table = Tensor.Zeros([3, 2], requiresGrad: true);

        // When the sum of the looked-up rows is back-propagated
        Functional.Embedding(table, Tensor.FromArray(new long[] { 0, 2, 0 })).Sum().Backward();

        // Then row 0 collects two, row 2 one, row 1 nothing
        Assert.Equal([2f, 2f, 0f, 0f, 1f, 1f], table.Grad!.ToArray<float>());
    }
}
