namespace PolyGlot.Torch.Tests;

/// <summary>
/// Freeing a tensor's memory while graphs keep the tensor, and refilling it through an untracked
/// alias: what fully sharded training does with a parameter between its forward and its backward.
/// </summary>
public sealed class TensorStorageTests
{
    [Fact]
    public void BackwardGivesTheSameGradient_When_ASavedWeightIsFreedAndRefilledBeforeIt()
    {
        // Given y = sum(x W^T) whose graph saved W (for x's gradient), and the plain gradients
        using var scope = DisposeScope.Enter();
        var values = Tensor.FromArray([1f, -2f, 0.5f, 3f, 4f, -1f], 2, 3);
        var (expectedX, expectedW) = Gradients(values, freeBetween: false);

        // When W's memory is freed after forward and refilled (through an alias) before backward
        var (actualX, actualW) = Gradients(values, freeBetween: true);

        // Then both gradients are the same bits
        Assert.Equal(expectedX, actualX);
        Assert.Equal(expectedW, actualW);
    }

    [Fact]
    public void StorageBytesFallToZeroAndReturn_When_ReleasedAndReallocated()
    {
        // Given a 1,000-element float32 tensor
        using var tensor = Tensor.Ones([10, 100]);
        Assert.Equal(4000, tensor.StorageBytes);

        // When its storage is released, then reallocated and filled
        tensor.ReleaseStorage();
        var released = tensor.StorageBytes;
        tensor.ReallocateStorage();
        tensor.Fill(2);

        // Then it held no memory in between, keeps its shape, and holds the new values
        Assert.Equal(0, released);
        Assert.Equal(4000, tensor.StorageBytes);
        Assert.Equal([10L, 100L], tensor.Shape);
        Assert.All(tensor.ToArray<float>(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void WritingThroughTheUntrackedAliasLeavesTheGraphValid_When_AnInPlaceCopyWouldNot()
    {
        // Given a weight saved by a graph
        using var scope = DisposeScope.Enter();
        var weight = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        weight.RequiresGrad = true;
        var x = Tensor.FromArray([1f, 1f], 1, 2);
        x.RequiresGrad = true;
        var y = Functional.Linear(x, weight).Sum();

        // When its values are rewritten through an untracked alias
        using (new NoGradScope())
            weight.UntrackedAlias().CopyFrom(Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2));

        // Then backward runs, while after the same write to the weight itself it refuses
        y.Backward();
        Assert.Equal([4f, 6f], x.Grad!.ToArray<float>());
        var again = Functional.Linear(x, weight).Sum();
        using (new NoGradScope())
            weight.CopyFrom(Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2));
        Assert.Throws<TorchException>(() => again.Backward());
    }

    private static (float[] X, float[] W) Gradients(Tensor values, bool freeBetween)
    {
        using var scope = DisposeScope.Enter();
        var weight = values.Clone();
        weight.RequiresGrad = true;
        var x = Tensor.FromArray([0.25f, -1f, 2f, 1f, 0f, -0.5f], 2, 3);
        x.RequiresGrad = true;
        var y = Functional.Linear(x, weight).Sum();
        if (freeBetween)
        {
            weight.ReleaseStorage();
            weight.ReallocateStorage();
            using var noGrad = new NoGradScope();
            weight.UntrackedAlias().CopyFrom(values);
        }
        y.Backward();
        return (x.Grad!.ToArray<float>(), weight.Grad!.ToArray<float>());
    }
}
