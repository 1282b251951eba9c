using PolyGlot.Evaluation.Metrics;

namespace PolyGlot.Evaluation.Tests.Metrics;

/// <summary>
/// Expected scores are sacreBLEU's own test values (github.com/mjpost/sacrebleu, test/test_chrf.py),
/// reproduced within its tolerance of 1e-4.
/// </summary>
public sealed class ChrFTests
{
    [Theory]
    [InlineData("abcdefg", "hijklmnop", 0.0)]
    [InlineData("", "reference", 0.0)]
    [InlineData("aa", "ab", 8.3333)]
    [InlineData("a", "a", 16.6667)]
    [InlineData("a b c", "abc", 50.0)]
    [InlineData(" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
        "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .", 63.361730)]
    [InlineData(" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. ",
        "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.", 64.1302698)]
    public void ScoreMatchesSacreBleu_When_EpsSmoothingBeta3(string hypothesis, string reference, double expected)
    {
        var chrf = new ChrF { WordOrder = 0, Beta = 3, EpsSmoothing = true };
        Assert.Equal(expected, chrf.CorpusScore([hypothesis], [[reference]]), 0.0001);
    }

    [Fact]
    public void CorpusStatisticsSummed_When_TwoSegments()
    {
        // Given test_chrf.py's two-segment corpus ["a", "b"] vs ["a", "c"], Then 8.3333 (smoothed) and 50.0 (effective order)
        Assert.Equal(8.3333, new ChrF { WordOrder = 0, Beta = 3, EpsSmoothing = true }.CorpusScore(["a", "b"], [["a"], ["c"]]), 0.0001);
        Assert.Equal(50.0, new ChrF { WordOrder = 0, Beta = 3 }.CorpusScore(["a", "b"], [["a"], ["c"]]), 0.0001);
    }

    [Theory]
    [InlineData("a", "a", 100.0)]
    [InlineData("", "c", 0.0)]
    [InlineData("aa", "ab", 25.0)]
    public void ScoreMatchesSacreBleu_When_EffectiveOrder(string hypothesis, string reference, double expected)
    {
        Assert.Equal(expected, new ChrF { WordOrder = 0, Beta = 3 }.CorpusScore([hypothesis], [[reference]]), 0.0001);
    }

    [Theory]
    [InlineData("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
        "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.", 39.14078509)]
    [InlineData("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
        "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.", 57.15704367)]
    public void SentenceScoreMatchesSacreBleu_When_Beta2(string hypothesis, string reference, double expected)
    {
        Assert.Equal(expected, new ChrF { WordOrder = 0, EpsSmoothing = true }.CorpusScore([hypothesis], [[reference]]), 0.0001);
    }

    [Fact]
    public void BestReferenceChosen_When_SeveralReferences()
    {
        // Given a hypothesis, a reference it matches and one it does not
        var chrf = new ChrF();
        // Then the segment scores as against the matching reference alone, in either order
        Assert.Equal(100.0, chrf.CorpusScore(["Niemand hat die Absicht."], [["ganz anders", "Niemand hat die Absicht."]]), 6);
        Assert.Equal(100.0, chrf.CorpusScore(["Niemand hat die Absicht."], [["Niemand hat die Absicht.", "ganz anders"]]), 6);
    }
}
