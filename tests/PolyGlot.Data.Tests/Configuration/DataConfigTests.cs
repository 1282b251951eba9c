using PolyGlot.Common.Configuration;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Tests.Configuration;

public sealed class DataConfigTests
{
    private const string Valid = """
        seq_len: 1024
        global_batch_size: 16
        seed: 42
        alpha: 0.3
        document_boundaries: true
        sources:
          - name: web-en
            path: prepared/web-en
          - name: web-de
            path: prepared/web
            languages: [de]
          - name: pairs
            path: prepared/pairs
        groups:
          - name: non-english
            alpha: 0.5
        curriculum:
          stages:
            - until: 0.8
              weights: { english: 0.65, non-english: 0.30, bilingual: 0.05 }
            - transition: linear
              weights: { english: 0.30, non-english: 0.60, bilingual: 0.10 }
        """;

    private static ConfigException Invalid(string yaml) =>
        Assert.Throws<ConfigException>(() => YamlConfig.Parse<DataConfig>(yaml, "run.yaml"));

    [Fact]
    public void EveryKeyIsRead_When_TheSectionIsValid()
    {
        var config = YamlConfig.Parse<DataConfig>(Valid, "run.yaml");

        Assert.Equal(1024, config.SeqLen);
        Assert.Equal(16, config.GlobalBatchSize);
        Assert.Equal(["de"], config.Sources[1].Languages!);
        Assert.Equal(0.5, config.AlphaOf("non-english"));
        Assert.Equal(0.3, config.AlphaOf("english"));
        Assert.Equal(0.60, config.Curriculum!.Stages[1].Weights["non-english"]);
        Assert.True(config.DocumentBoundaries);
    }

    [Fact]
    public void TheErrorNamesKeyValueAndRule_When_StagesAreOutOfOrder()
    {
        var error = Invalid(Valid.Replace("    - transition: linear", "    - until: 0.5\n      weights: { english: 1.0 }\n    - transition: linear"));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("curriculum.stages[1].until", problem.Key);
        Assert.Equal("0.5", problem.Value);
        Assert.Contains("in order", problem.Rule);
    }

    [Fact]
    public void TheErrorGivesTheSum_When_WeightsDoNotSumToOne()
    {
        var error = Invalid(Valid.Replace("non-english: 0.30", "non-english: 0.20"));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("curriculum.stages[0].weights", problem.Key);
        Assert.Equal("0.9", problem.Value);
        Assert.Contains("sum to 1", problem.Rule);
    }

    [Fact]
    public void TheErrorListsKnownGroups_When_AWeightNamesAnUnknownGroup()
    {
        var error = Invalid(Valid.Replace("bilingual: 0.05", "bilingualz: 0.05"));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("curriculum.stages[0].weights.bilingualz", problem.Key);
        Assert.Contains("known groups: bilingual, english, non-english", problem.Rule);
    }

    [Fact]
    public void TheErrorNamesTheTransition_When_TheFirstStageIsLinear()
    {
        var error = Invalid(Valid.Replace("- until: 0.8", "- until: 0.8\n      transition: linear"));

        Assert.Equal("curriculum.stages[0].transition", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public void TheErrorNamesTheDuplicate_When_TwoSourcesShareAName()
    {
        var error = Invalid(Valid.Replace("name: web-de", "name: web-en"));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("sources", problem.Key);
        Assert.Equal("'web-en'", problem.Value);
    }

    [Fact]
    public void TheErrorListsTheUnits_When_TheShuffleIsUnknown()
    {
        var problem = Assert.Single(Invalid(Valid.Replace("seed: 42\n", "seed: 42\nshuffle: shards\n")).Errors);

        Assert.Equal("shuffle", problem.Key);
        Assert.Equal("'shards'", problem.Value);
        Assert.Contains("documents, row_groups", problem.Rule);
    }

    [Fact]
    public void TheShuffleIsParsed_When_RowGroupsIsGiven()
    {
        var config = YamlConfig.Parse<DataConfig>(Valid.Replace("seed: 42\n", "seed: 42\nshuffle: row_groups\n"), "run.yaml");

        Assert.Equal(PolyGlot.Data.Loading.ShuffleUnit.RowGroups, config.ShuffleUnit);
    }

    [Fact]
    public void TheErrorSaysChooseOne_When_APresetAndStagesAreBothGiven()
    {
        var error = Invalid(Valid.Replace("curriculum:\n", "curriculum:\n  preset: polylm\n"));

        Assert.Contains("either a preset or stages", Assert.Single(error.Errors).Rule);
    }

    [Fact]
    public void TheErrorNamesTheUnknownPreset_When_ThePresetIsMisspelled()
    {
        var yaml = Valid[..Valid.IndexOf("curriculum:", StringComparison.Ordinal)] + "curriculum:\n  preset: polyml\n";

        var problem = Assert.Single(Invalid(yaml).Errors);

        Assert.Equal("curriculum.preset", problem.Key);
        Assert.Contains("polylm", problem.Rule);
    }

    [Fact]
    public void EveryMismatchIsListed_When_ManifestsNameAnotherTokenizer()
    {
        using var dirs = new TestManifests();
        dirs.Write("a", SourceKinds.Monolingual, new Dictionary<string, long> { ["en"] = 10 }, tokenizer: "bb22");
        dirs.Write("b", SourceKinds.Monolingual, new Dictionary<string, long> { ["de"] = 10 }, tokenizer: TestManifests.Tokenizer);
        var config = new DataConfig { Sources = [new() { Name = "a", Path = "a" }, new() { Name = "b", Path = "b" }] };

        var error = Assert.Throws<ConfigException>(() => config.CheckTokenizer(TestManifests.Tokenizer, dirs.Root));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("data.sources[0].path", problem.Key);
        Assert.Contains("bb22", problem.Rule);
    }
}
