using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Tests.Configuration;

/// <summary>configs/polylm-small.yaml evaluates on the held-out text that configs/polylm-data.yaml carves out, in all of PolyLM's languages.</summary>
public sealed class PolyLmSmallEvalTests
{
    private static readonly string[] PolyLmLanguages =
        ["zh", "en", "es", "fr", "pt", "ru", "de", "it", "ar", "ja", "ko", "th", "vi", "id", "nl", "pl", "tr", "he"];

    [Fact]
    public void EvaluatesEveryHeldOutMonolingualFileOfItsPreparation_When_Loaded()
    {
        // Given the run config and the data config it is prepared from
        var config = RunConfig.Load(RepoConfigs.File("polylm-small.yaml"));
        var preparation = config.LoadPreparation(Path.GetDirectoryName(RepoConfigs.Directory)!)!;

        // When the eval sources are set beside the report's held-out monolingual sources
        var evaluated = config.Eval.Sources.Select(s => (s.Name, s.Path, s.Lang)).Order().ToList();
        var heldOut = preparation.Report.Sources.Where(s => !s.IsBilingual).Select(s => (s.Name, s.Path, s.Lang)).Order().ToList();

        // Then they are the same files, and they cover PolyLM's 18 languages
        Assert.Equal(heldOut, evaluated);
        Assert.Equal(PolyLmLanguages.Order(), evaluated.Select(s => s.Lang!).Distinct().Order());
    }
}
