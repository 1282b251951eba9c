using PolyGlot.Torch.Runtime;

namespace PolyGlot.Torch.Tests.Runtime;

// Other tests draw from the same default generator; these run alone.
[Collection(ProcessStateCollection.Name)]
public sealed class RngTests
{
    [Fact]
    public void SameRandomTensorsFollow_When_CpuStateIsRestored()
    {
        // Given a saved CPU generator state
        using var scope = DisposeScope.Enter();
        var state = Rng.GetState();

        // When random tensors are drawn, the state restored, and they are drawn again
        var first = Tensor.Randn([16]).ToArray<float>();
        var firstUniform = Tensor.Zeros([8]).UniformInPlace(-1, 1).ToArray<float>();
        Rng.SetState(state);
        var second = Tensor.Randn([16]).ToArray<float>();
        var secondUniform = Tensor.Zeros([8]).UniformInPlace(-1, 1).ToArray<float>();

        // Then both draws are identical
        Assert.Equal(first, second);
        Assert.Equal(firstUniform, secondUniform);
    }

    [Fact]
    public void SameTensorsFollow_When_SeedIsRepeated()
    {
        using var scope = DisposeScope.Enter();

        Rng.ManualSeed(42);
        var first = Tensor.Rand([4]).ToArray<float>();
        Rng.ManualSeed(42);
        var second = Tensor.Rand([4]).ToArray<float>();
        Rng.ManualSeed(43);
        var other = Tensor.Rand([4]).ToArray<float>();

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void ThrowsWithLibtorchMessage_When_StateBytesAreMalformed()
    {
        var error = Assert.Throws<TorchException>(() => Rng.SetState(new byte[7]));

        Assert.Equal("SetState", error.Operation);
    }
}
