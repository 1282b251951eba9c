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

    // The built-in corpus has no Thai or Hebrew text (docs/polylm-corpus.md).
    private static readonly string[] WithoutText = ["th", "he"];

    private static readonly Lazy<DataPreparationConfig> Config = new(LoadFromRepositoryRoot);

    [Fact]
    public void TrainsOnEveryPolyLmLanguageWithText_When_Loaded()
    {
        // Given the validated config (loading throws on any invalid key)
        var config = Config.Value;

        // When the languages of its tokenizer sources are listed
        var trained = config.Select(config.Tokenizer.Sources).Select(s => s.Lang!).ToHashSet();

        // Then they are PolyLM's, less the two the corpus lacks, and the tokenizer sees no pair (English twice)
        Assert.Equal(PolyLmLanguages.Except(WithoutText).Order(), trained.Order());
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

        // Then every language with text has held-out text, and every PolyLM language a UDHR premium
        Assert.Equal(PolyLmLanguages.Except(WithoutText).Order(), heldOut.Order());
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
