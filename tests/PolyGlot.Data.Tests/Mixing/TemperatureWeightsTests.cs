using PolyGlot.Data.Mixing;

namespace PolyGlot.Data.Tests.Mixing;

public sealed class TemperatureWeightsTests
{
    [Fact]
    public void SmallSourcesAreUpSampled_When_AlphaIsOneHalf()
    {
        // Given sources of 100 and 400 tokens and alpha 0.5: weights 10 and 20
        var weights = TemperatureWeights.Compute([100, 400], 0.5);

        // Then the small source gets 1/3 instead of its 1/5 by size
        Assert.Equal(1.0 / 3, weights[0], 12);
        Assert.Equal(2.0 / 3, weights[1], 12);
    }

    [Fact]
    public void WeightsFollowSize_When_AlphaIsOne()
    {
        var weights = TemperatureWeights.Compute([100, 300], 1.0);
        Assert.Equal([0.25, 0.75], weights);
    }

    [Fact]
    public void WeightsAreUniform_When_AlphaIsZero()
    {
        var weights = TemperatureWeights.Compute([1, 1_000_000], 0.0);
        Assert.Equal([0.5, 0.5], weights);
    }
}
