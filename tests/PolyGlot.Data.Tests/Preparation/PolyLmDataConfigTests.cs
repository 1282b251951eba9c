using PolyGlot.Common.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.TestSupport;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>configs/polylm-data.yaml over data/polylm-corpus: PolyLM's languages, and held-out text apart from training text.</summary>
public sealed class PolyLmDataConfigTests
{
    private static readonly string[] PolyLmLanguages =
        ["zh", "en", "es", "fr", "pt", "ru", "de", "it", "ar", "ja", "ko", "th", "vi", "id", "nl", "pl", "tr", "he"];

    // Interface translations, the only text of Thai and Hebrew, some of Arabic (docs/polylm-corpus.md).
    private static readonly string[] Interface = ["loui", "firefox", "l10n"];

    private static readonly Lazy<DataPreparationConfig> Config = new(LoadFromRepositoryRoot);

    [Fact]
    public void TrainsOnEveryPolyLmLanguage_When_Loaded()
    {
        // Given the validated config (loading throws on any invalid key)
        var config = Config.Value;

        // When the languages of its tokenizer sources are listed
        var trained = config.Select(config.Tokenizer.Sources).Select(s => s.Lang!).ToHashSet();

        // Then they are PolyLM's 18, and the tokenizer sees no pair (English twice)
        Assert.Equal(PolyLmLanguages.Order(), trained.Order());
        Assert.DoesNotContain(config.Select(config.Tokenizer.Sources), s => s.IsBilingual);
    }

    [Fact]
    public void ReportsEveryLanguageOnHeldOutAndUdhrText_When_Loaded()
    {
        // Given the report sources
        var report = Config.Value.Report.Sources;

        // When grouped into held-out monolingual languages and UDHR premium languages
        var heldOut = report.Where(s => !s.IsBilingual).Select(s => s.Lang!).ToHashSet();
        var udhr = report.Where(s => s.IsBilingual && s.Name.StartsWith("udhr-", StringComparison.Ordinal)).Select(s => s.TgtLang!).ToHashSet();

        // Then every PolyLM language has held-out text and, English aside, a UDHR premium
        Assert.Equal(PolyLmLanguages.Order(), heldOut.Order());
        Assert.Equal(PolyLmLanguages.Except(["en"]).Order(), udhr.Order());
    }

    [Fact]
    public void NoHeldOutTextIsTrainedOn_When_EveryTrainingAndReportLineIsRead()
    {
        // Given every training text of the config (monolingual lines and both sides of pairs)
        var config = Config.Value;
        var training = config.Sources.SelectMany(Texts).ToHashSet(StringComparer.Ordinal);

        // When the held-out and UDHR texts of the report are read
        var heldOut = config.Report.Sources.SelectMany(Texts).ToList();

        // Then none of them is a training text
        Assert.True(heldOut.Count > 1_000, $"only {heldOut.Count} held-out texts");
        var overlap = heldOut.Where(training.Contains).Take(3).ToList();
        Assert.True(overlap.Count == 0, "held-out text in training: " + string.Join(" | ", overlap));
    }

    [Theory]
    [InlineData("ar")]
    [InlineData("he")]
    [InlineData("th")]
    public void NoSentenceIsInTwoInterfaceSources_When_ALanguagesCatalogsAreRead(string lang)
    {
        // Given the monolingual interface sources of one language, training and held-out
        var config = Config.Value;
        var sources = config.Sources.Concat(config.Report.Sources)
            .Where(s => !s.IsBilingual && s.Lang == lang && Interface.Any(o => s.Name.EndsWith($"{o}-{lang}", StringComparison.Ordinal)))
            .ToList();

        // When each sentence is counted once per source
        var counts = sources.SelectMany(s => Texts(s).Distinct(StringComparer.Ordinal)).CountBy(t => t, StringComparer.Ordinal);

        // Then all six files (three catalogs, training and held-out) are read and no sentence is in two of them
        Assert.Equal(6, sources.Count);
        var repeated = counts.Where(c => c.Value > 1).Select(c => c.Key).Take(3).ToList();
        Assert.True(repeated.Count == 0, "in more than one interface source: " + string.Join(" | ", repeated));
    }

    private static IEnumerable<string> Texts(CorpusSourceConfig source) => source.IsBilingual
        ? CorpusReader.ReadPairs(source).SelectMany(p => new[] { p.SourceText, p.TargetText })
        : CorpusReader.ReadDocuments(source).Select(d => d.Text);

    private static DataPreparationConfig LoadFromRepositoryRoot()
    {
        var config = YamlConfig.Load<DataPreparationConfig>(RepositoryPaths.Combine("configs", "polylm-data.yaml"));
        foreach (var source in config.Sources.Concat(config.Report.Sources))
            source.Path = RepositoryPaths.Combine(source.Path);
        return config;
    }
}
