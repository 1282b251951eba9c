using PolyGlot.Tokenization.Reporting;

namespace PolyGlot.Tokenization.Tests.Reporting;

public sealed class FertilityComparisonTests
{
    // Held-out monolingual text for de and ko only: th is measured on parallel text but not covered.
    private static readonly LanguageFertility[] Covered =
        [new("de", 1, 100, 100, 10, 30), new("en", 1, 100, 100, 10, 25), new("ko", 1, 100, 60, 10, 40)];

    [Fact]
    public void FlagsOnlyPremiumsAboveTheTolerance_When_OursIsWorseForOneLanguage()
    {
        // Given premiums de 1.20 vs 1.00 (20% worse), ko 1.05 vs 1.00 (5% worse), th 3.00 vs 1.50 (not covered)
        var comparison = new FertilityComparison(
            Report("ours", ("udhr", "de", 100, 120), ("udhr", "ko", 100, 105), ("udhr", "th", 100, 300)),
            Report("o200k", ("udhr", "de", 100, 100), ("udhr", "ko", 100, 100), ("udhr", "th", 100, 150)));

        // When summarized
        var summary = comparison.Summary()!;

        // Then only de is flagged, th is left out, and ours is not as fair as the reference
        Assert.Equal(["de", "ko"], summary.Languages);
        Assert.Equal("de", Assert.Single(summary.WorseThanReference).Language);
        Assert.Equal(1.20, summary.OursWorst.Ours, 12);
        Assert.False(summary.AsFairAsReference);
    }

    [Fact]
    public void IsAsFairAsTheReference_When_WorstIsLowerAndNoLanguageExceedsTheTolerance()
    {
        // Given ours de 1.08 vs 1.00 (within 10%) and ko 1.10 vs 1.40 (the reference's worst)
        var comparison = new FertilityComparison(
            Report("ours", ("udhr", "de", 100, 108), ("udhr", "ko", 100, 110)),
            Report("o200k", ("udhr", "de", 100, 100), ("udhr", "ko", 100, 140)));

        // When summarized
        var summary = comparison.Summary()!;

        // Then the worst are ko 1.10 against ko 1.40, and nothing is flagged
        Assert.Equal(("ko", 1.10, "ko", 1.40), (summary.OursWorst.Language, Math.Round(summary.OursWorst.Ours, 12),
            summary.ReferenceWorst.Language, Math.Round(summary.ReferenceWorst.Reference, 12)));
        Assert.Empty(summary.WorseThanReference);
        Assert.True(summary.AsFairAsReference);
    }

    private static FertilityReport Report(string name, params (string Set, string Language, long English, long Tokens)[] premiums) =>
        new(name, 1000, Covered, premiums.Select(p => new LanguagePremium(p.Set, p.Language, 31, p.English, p.Tokens)).ToList());
}
