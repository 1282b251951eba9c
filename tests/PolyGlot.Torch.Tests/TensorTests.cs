namespace PolyGlot.Torch.Tests;

public sealed class TensorTests
{
    [Fact]
    public void FromSpanAsyncHoldsTheSameValuesAsFromSpan_When_TheBufferIsReusedAfterwards()
    {
        using var scope = DisposeScope.Enter();
        long[] buffer = [3, -1, 4, 1, 5, 9];

        var copy = Tensor.FromSpanAsync<long>(buffer, [2, 3], Device.Cpu);
        Array.Fill(buffer, 0L);

        Assert.Equal(new long[] { 2, 3 }, copy.Shape);
        Assert.Equal([3L, -1, 4, 1, 5, 9], copy.ToArray<long>());
    }

    [Fact]
    public void ArrayRoundTripsWithShape_When_CreatedFromManagedArray()
    {
        // Given a managed array
        float[] values = [1, 2, 3, 4, 5, 6];
        using var scope = DisposeScope.Enter();

        // When it becomes a 2x3 tensor and comes back
        var t = Tensor.FromArray(values, 2, 3);

        // Then shape, dtype and elements are preserved
        Assert.Equal([2L, 3L], t.Shape);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(values, t.ToArray<float>());
    }

    [Fact]
    public void BytesRoundTripExactly_When_TensorIsBFloat16()
    {
        // Given bfloat16 bytes for 1.0, -2.0, 0.5 (upper halves of the float32 patterns)
        byte[] bytes = [0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3F];
        using var scope = DisposeScope.Enter();

        // When a tensor is built from them
        var t = Tensor.FromBytes(bytes, DType.BFloat16, [3]);

        // Then it holds those values and gives the same bytes back
        Assert.Equal([1f, -2f, 0.5f], t.To(DType.Float32).ToArray<float>());
        Assert.Equal(bytes, t.ToBytes());
    }

    [Fact]
    public void BytesAreRowMajor_When_TensorIsANonContiguousView()
    {
        // Given the transpose of a 2x3 int32 tensor (a strided view)
        using var scope = DisposeScope.Enter();
        var t = Tensor.FromArray(new[] { 1, 2, 3, 4, 5, 6 }, 2, 3).Transpose(0, 1);

        // When its elements are copied out
        var values = t.ToArray<int>();

        // Then they come in the view's row-major order
        Assert.False(t.IsContiguous);
        Assert.Equal([1, 4, 2, 5, 3, 6], values);
    }

    [Fact]
    public void ThrowsNamingTheDType_When_ManagedTypeDoesNotMatch()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Zeros([2], DType.Int64);

        var error = Assert.Throws<ArgumentException>(() => t.ToArray<float>());

        Assert.Contains("Int64", error.Message);
    }

    [Fact]
    public void ThrowsNamingBothSizes_When_ByteCountDoesNotMatchShape()
    {
        using var scope = DisposeScope.Enter();

        var error = Assert.Throws<TorchException>(() => Tensor.FromBytes(new byte[10], DType.Float32, [3]));

        Assert.Contains("10 bytes", error.Message);
        Assert.Contains("12", error.Message);
    }

    [Fact]
    public void ArithmeticFollowsPyTorch_When_OperatorsBroadcast()
    {
        // Given a (2, 2) tensor and a (2,) row
        using var scope = DisposeScope.Enter();
        var a = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f }, 2, 2);
        var row = Tensor.FromArray(new[] { 10f, 20f });

        // When combined with operators and scalars
        var result = (a + row) * 2 - 1 / a;

        // Then each element is (a + row) * 2 - 1/a
        Reference.Tolerance.AssertClose([21f, 43.5f, 26f - 1f / 3f, 47.75f], result.ToArray<float>(), 1e-6, "result");
    }

    [Fact]
    public void IntegerTensorsStayInteger_When_AddingIntegerScalars()
    {
        using var scope = DisposeScope.Enter();

        var t = Tensor.Arange(4).Add(3L);

        Assert.Equal(DType.Int64, t.DType);
        Assert.Equal([3L, 4L, 5L, 6L], t.ToArray<long>());
    }

    [Fact]
    public void ReductionsMatchHandComputedValues_When_ReducingAlongDimensions()
    {
        // Given [[1, 5, 3], [4, 2, 6]]
        using var scope = DisposeScope.Enter();
        var t = Tensor.FromArray(new[] { 1f, 5f, 3f, 4f, 2f, 6f }, 2, 3);

        // When reduced
        var (max, argmax) = t.Max(1);

        // Then sums, means, maxima and indices are right
        Assert.Equal(21f, t.Sum().ToSingle());
        Assert.Equal([5f, 7f, 9f], t.Sum(0).ToArray<float>());
        Assert.Equal([3f, 4f], t.Mean(1).ToArray<float>());
        Assert.Equal([5f, 6f], max.ToArray<float>());
        Assert.Equal([1L, 2L], argmax.ToArray<long>());
        Assert.Equal(5L, t.ArgMax().ToInt64());
    }

    [Fact]
    public void ViewsShareStorage_When_WritingThroughANarrowedView()
    {
        // Given a tensor and a narrow view of its second row
        using var scope = DisposeScope.Enter();
        var t = Tensor.Zeros([2, 3]);
        var row = t.Narrow(0, 1, 1);

        // When the view is filled
        row.Fill(7);

        // Then the base tensor sees the change
        Assert.Equal([0f, 0f, 0f, 7f, 7f, 7f], t.ToArray<float>());
    }

    [Fact]
    public void ShapesFollowPyTorch_When_PermutingCatAndStack()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Zeros([2, 3, 4]);

        Assert.Equal([4L, 2L, 3L], t.Permute(2, 0, 1).Shape);
        Assert.Equal([4L, 3L, 4L], Tensor.Cat([t, t], 0).Shape);
        Assert.Equal([2L, 2L, 3L, 4L], Tensor.Stack([t, t], 0).Shape);
        Assert.Equal([6L, 4L], t.Reshape(-1, 4).Shape);
        Assert.Equal([2L, 1L, 3L, 4L], t.Unsqueeze(1).Shape);
    }

    [Fact]
    public void MasksSelectTheUpperTriangle_When_ComparingAndFilling()
    {
        // Given a causal mask of 3 positions
        using var scope = DisposeScope.Enter();
        var future = Tensor.Ones([3, 3], DType.Bool).Triu(1);

        // When scores are masked
        var masked = Tensor.Zeros([3, 3]).MaskedFill(future, double.NegativeInfinity);
        var picked = Tensor.Where(future, Tensor.Ones([3, 3]), Tensor.Zeros([3, 3]));

        // Then exactly the future positions are affected
        var ninf = float.NegativeInfinity;
        Assert.Equal([0f, ninf, ninf, 0f, 0f, ninf, 0f, 0f, 0f], masked.ToArray<float>());
        Assert.Equal(3f, picked.Sum().ToSingle());
        Assert.Equal([true, false, false], future.Select(0, 0).Eq(0).ToArray<bool>());
    }

    [Fact]
    public void CrossEntropyIgnoresTargets_When_TargetEqualsIgnoreIndex()
    {
        // Given uniform logits over 4 classes and one ignored target of two
        using var scope = DisposeScope.Enter();
        var logits = Tensor.Zeros([2, 4]);
        var targets = Tensor.FromArray(new long[] { 1, -100 });

        // When the mean and sum losses are computed
        var mean = Functional.CrossEntropy(logits, targets).ToDouble();
        var none = Functional.CrossEntropy(logits, targets, reduction: Reduction.None).ToArray<float>();

        // Then only the kept target counts: ln 4
        Assert.Equal(Math.Log(4), mean, 6);
        Assert.Equal(0f, none[1]);
    }

    [Fact]
    public void GradientsFlowToLeaves_When_BackwardRunsOnAScalar()
    {
        // Given y = sum(x^2) for x = [1, 2, 3]
        using var scope = DisposeScope.Enter();
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f });
        x.RequiresGrad = true;

        // When back-propagating
        x.Square().Sum().Backward();

        // Then dy/dx = 2x, and detaching cuts the graph
        Assert.Equal([2f, 4f, 6f], x.Grad!.ToArray<float>());
        Assert.False(x.Detach().RequiresGrad);
    }

    [Fact]
    public void NothingIsRecorded_When_InsideANoGradScope()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([2], requiresGrad: true);

        Tensor y;
        using (new NoGradScope())
            y = x * 2;

        Assert.False(y.RequiresGrad);
        Assert.True(NoGradScope.IsGradEnabled);
        Assert.True((x * 2).RequiresGrad);
    }

    [Fact]
    public void DeviceAndDTypeParse_When_GivenPyTorchSpellings()
    {
        Assert.Equal(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.Equal("cpu", Device.Parse("CPU").ToString());
        Assert.Equal(DType.BFloat16, DTypes.Parse("bf16"));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
    }
}
