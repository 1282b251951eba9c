using PolyGlot.Data.Mixing;

namespace PolyGlot.Data.Tests.Mixing;

public sealed class MixingPlanTests
{
    [Fact]
    public void AGroupWeightIsSplitByTemperature_When_TheGroupHasSeveralSources()
    {
        // Given group 0 = {source 0 (100 tokens), source 1 (400 tokens)} with alpha 0.5, group 1 = {source 2}
        var plan = new MixingPlan([0, 0, 1], [100, 400, 50], [0.5, 1.0]);

        // When group 0 gets 0.6 and group 1 gets 0.4
        var weights = plan.SourceWeights([0.6, 0.4]);

        // Then group 0's share is split 1:2
        Assert.Equal(0.2, weights[0], 12);
        Assert.Equal(0.4, weights[1], 12);
        Assert.Equal(0.4, weights[2], 12);
    }
}
