using PolyGlot.Data.Mixing;

namespace PolyGlot.Data.Tests.Mixing;

public sealed class FixedSharesTests
{
    [Fact]
    public void SharesSumToScale_When_WeightsDoNotDivideEvenly()
    {
        // Given thirds and a weight that is not normalized
        double[] weights = [1, 1, 1, 0.5];

        // When they are converted
        var shares = FixedShares.FromWeights(weights);

        // Then they sum to exactly one sequence and keep their proportions to within one unit
        Assert.Equal(FixedShares.Scale, shares.Sum());
        Assert.InRange(shares[3], FixedShares.Scale / 7 - 1, FixedShares.Scale / 7 + 1);
    }

    [Fact]
    public void APositiveWeightKeepsAShare_When_ItIsTiny()
    {
        // Given a weight far below one unit
        var shares = FixedShares.FromWeights([1.0, 1e-15]);

        // Then it still gets a share, so its source is eventually sampled
        Assert.True(shares[1] > 0);
        Assert.Equal(FixedShares.Scale, shares.Sum());
    }

    [Fact]
    public void Throws_When_AllWeightsAreZero()
    {
        Assert.Throws<ArgumentException>(() => FixedShares.FromWeights([0.0, 0.0]));
    }
}
