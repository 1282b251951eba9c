namespace PolyGlot.Torch.Tests;

public sealed class TorchExceptionTests
{
    [Fact]
    public void ThrowsWithLibtorchMessageAndOperation_When_MatMulShapesMismatch()
    {
        // Given two matrices whose inner sizes differ
        using var scope = DisposeScope.Enter();
        var a = Tensor.Zeros([2, 3]);
        var b = Tensor.Zeros([4, 5]);

        // When multiplied
        var error = Assert.Throws<TorchException>(() => a.MatMul(b));

        // Then the exception names the operation and carries libtorch's message without a backtrace
        Assert.Equal("MatMul", error.Operation);
        Assert.Contains("cannot be multiplied", error.NativeMessage);
        Assert.Contains("2x3 and 4x5", error.NativeMessage);
        Assert.DoesNotContain("frame #", error.NativeMessage);
    }

    [Fact]
    public void LaterOperationsSucceed_When_AnEarlierOneFailed()
    {
        // Given a failed view
        using var scope = DisposeScope.Enter();
        var t = Tensor.Ones([2, 3]);
        Assert.Throws<TorchException>(() => t.View(4, 2));

        // When the process carries on
        var sum = t.View(3, 2).Sum().ToSingle();

        // Then results are correct
        Assert.Equal(6f, sum);
    }

    [Fact]
    public void ThrowsObjectDisposed_When_TensorIsUsedAfterDispose()
    {
        var t = Tensor.Ones([2]).Keep();
        t.Dispose();

        Assert.Throws<ObjectDisposedException>(() => t.Sum());
    }
}
