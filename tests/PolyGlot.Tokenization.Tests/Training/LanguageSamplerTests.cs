using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests.Training;

public sealed class LanguageSamplerTests
{
    private static readonly Dictionary<string, long> SkewedCounts = new()
    {
        ["en"] = 1_000_000, ["de"] = 100_000, ["hi"] = 1_000,
    };

    [Fact]
    public void ProbabilitiesFollowCountsToThePowerAlpha_When_AlphaIsBetweenZeroAndOne()
    {
        // When p is computed with alpha 0.3
        var p = LanguageSampler.Probabilities(SkewedCounts, 0.3);

        // Then p(en)/p(hi) = (1e6/1e3)^0.3 = 7.94 rather than 1000
        Assert.Equal(Math.Pow(1000, 0.3), p["en"] / p["hi"], 6);
        Assert.Equal(1.0, p.Values.Sum(), 9);
    }

    [Fact]
    public void ProbabilitiesAreUniform_When_AlphaIsZero()
    {
        var p = LanguageSampler.Probabilities(SkewedCounts, 0.0);
        Assert.All(p.Values, v => Assert.Equal(1.0 / 3, v, 9));
    }

    [Fact]
    public void QuotasMatchTheProbabilitiesWithinOneSentence_When_NoLanguageRunsOut()
    {
        // Given a budget small enough that every language has more than its share
        var p = LanguageSampler.Probabilities(SkewedCounts, 0.3);

        // When quotas are drawn for 1,000 sentences
        var quotas = LanguageSampler.Quotas(SkewedCounts, 0.3, 1_000);

        // Then they spend the budget exactly and each is within one sentence of budget x p
        Assert.Equal(1_000, quotas.Values.Sum());
        foreach (var (language, quota) in quotas)
            Assert.InRange(quota, 1_000 * p[language] - 1, 1_000 * p[language] + 1);
    }

    [Fact]
    public void SmallLanguageIsTakenWholeAndTheRestRedistributed_When_ItsShareExceedsItsSize()
    {
        // When the budget would ask hi for more than its 1,000 sentences
        var quotas = LanguageSampler.Quotas(SkewedCounts, 0.3, 50_000);

        // Then hi gives everything it has and the others share the rest in their p ratio
        Assert.Equal(1_000, quotas["hi"]);
        Assert.Equal(50_000, quotas.Values.Sum());
        var ratio = (double)quotas["en"] / quotas["de"];
        Assert.Equal(Math.Pow(10, 0.3), ratio, 2);
    }

    [Fact]
    public void EverySentenceIsTaken_When_TheBudgetExceedsTheCorpus()
    {
        var quotas = LanguageSampler.Quotas(SkewedCounts, 0.3, 10_000_000);
        Assert.Equal(SkewedCounts, quotas.ToDictionary());
    }
}
