using PolyGlot.Common.Configuration;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;
using PolyGlot.Data.Shards;
using PolyGlot.Data.Tests.Configuration;

namespace PolyGlot.Data.Tests.Loading;

public sealed class DataPipelineTests : IDisposable
{
    private readonly TestManifests _dirs = new();

    public DataPipelineTests()
    {
        _dirs.Write("en", SourceKinds.Monolingual, new Dictionary<string, long> { ["en"] = 9000 });
        _dirs.Write("multi", SourceKinds.Monolingual, new Dictionary<string, long> { ["de"] = 400, ["fr"] = 100 });
        _dirs.Write("pairs", SourceKinds.Bilingual, new Dictionary<string, long> { ["en-de"] = 300 });
    }

    public void Dispose() => _dirs.Dispose();

    private static DataConfig Config(CurriculumConfig? curriculum = null) => new()
    {
        SeqLen = 7,
        GlobalBatchSize = 4,
        Sources =
        [
            new() { Name = "en", Path = "en" },
            new() { Name = "de", Path = "multi", Languages = ["de"] },
            new() { Name = "fr", Path = "multi", Languages = ["fr"] },
            new() { Name = "pairs", Path = "pairs" },
        ],
        Curriculum = curriculum,
    };

    private static CurriculumConfig PolyLm => new() { Preset = PolyLmPreset.Name };

    [Fact]
    public void AMultilingualSourceIsSplitPerLanguage_When_NoFilterIsGiven()
    {
        var config = Config();
        config.Sources = [new() { Name = "multi", Path = "multi" }];

        var plan = DataPipeline.Resolve(config, 100, _dirs.Root);

        Assert.Equal(["multi/de", "multi/fr"], plan.Sources.Select(s => s.Name));
        Assert.Equal([400L, 100L], plan.Sources.Select(s => s.Tokens));
    }

    [Fact]
    public void EveryPreparedSubdirectoryBecomesASource_When_ThePathIsAPrepareOutputRoot()
    {
        var config = Config(PolyLm);
        config.Sources = [new() { Name = "all", Path = "." }];

        var plan = DataPipeline.Resolve(config, 100, _dirs.Root);

        Assert.Equal(["all/en", "all/multi/de", "all/multi/fr", "all/pairs"], plan.Sources.Select(s => s.Name));
        Assert.Equal(["english", "non-english", "non-english", "bilingual"], plan.Sources.Select(s => s.Group));
    }

    [Fact]
    public void SourcesFallIntoGroupsByTheirManifests_When_NoGroupIsGiven()
    {
        var plan = DataPipeline.Resolve(Config(), 100, _dirs.Root);

        Assert.Equal(["english", "non-english", "non-english", "bilingual"], plan.Sources.Select(s => s.Group));
    }

    [Fact]
    public void AFilteredSourceCountsOnlyItsLanguages_When_ItTakesOneLanguageOfAManifest()
    {
        var plan = DataPipeline.Resolve(Config(), 100, _dirs.Root);

        Assert.Equal([9000L, 400L, 100L, 300L], plan.Sources.Select(s => s.Tokens));
        Assert.Equal(["de", "en", "en-de", "fr"], plan.Languages.Codes);
    }

    [Fact]
    public void NonEnglishRisesFrom30To60Percent_When_ThePolyLmPresetIsUsed()
    {
        // 1000 steps x 4 x 8 tokens; the final stage starts at 80% of them
        var plan = DataPipeline.Resolve(Config(PolyLm), 1000, _dirs.Root);
        var total = 1000 * plan.TokensPerStep;
        var nonEnglish = plan.Groups.ToList().IndexOf(PolyLmPreset.NonEnglish);
        var bilingual = plan.Groups.ToList().IndexOf(PolyLmPreset.Bilingual);

        Assert.Equal(0.30, plan.Schedule.WeightsAt(0)[nonEnglish], 12);
        Assert.Equal(0.30, plan.Schedule.WeightsAt(total * 8 / 10 - 1)[nonEnglish], 12);
        Assert.Equal(0.60, plan.Schedule.WeightsAt(total * 8 / 10)[nonEnglish], 12);
        Assert.Equal(0.10, plan.Schedule.WeightsAt(total)[bilingual], 12);
    }

    [Fact]
    public void TheErrorNamesTheSourceAndFile_When_AManifestIsMissing()
    {
        var config = Config();
        config.Sources[1].Path = "nowhere";

        var error = Assert.Throws<ConfigException>(() => DataPipeline.Resolve(config, 100, _dirs.Root));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("data.sources[1].path", problem.Key);
        Assert.Contains(Path.Combine(_dirs.Root, "nowhere", "manifest.json"), problem.Rule);
    }

    [Fact]
    public void TheErrorNamesTheShard_When_AShardListedInTheManifestIsMissing()
    {
        File.Delete(Path.Combine(_dirs.Root, "pairs", ShardEntry.FileNameFor(0)));

        var error = Assert.Throws<ConfigException>(() => DataPipeline.Resolve(Config(), 100, _dirs.Root));

        Assert.Contains(Path.Combine(_dirs.Root, "pairs", "shard-00000.parquet"), Assert.Single(error.Errors).Rule);
    }

    [Fact]
    public void TheErrorNamesTheLanguage_When_AFilterAsksForALanguageTheSourceLacks()
    {
        var config = Config();
        config.Sources[2].Languages = ["it"];

        var problem = Assert.Single(Assert.Throws<ConfigException>(() => DataPipeline.Resolve(config, 100, _dirs.Root)).Errors,
            e => e.Key == "data.sources[2].languages");

        Assert.Equal("'it'", problem.Value);
    }

    [Fact]
    public void TheErrorNamesTheGroup_When_AWeightedGroupHasNoSource()
    {
        var config = Config(PolyLm);
        config.Sources.RemoveAt(3);

        var error = Assert.Throws<ConfigException>(() => DataPipeline.Resolve(config, 100, _dirs.Root));

        Assert.Contains(error.Errors, e => e.Key == "data.curriculum.stages[0].weights.bilingual");
    }

    [Fact]
    public void TheErrorNamesBothTokenizers_When_SourcesWerePreparedWithDifferentOnes()
    {
        _dirs.Write("other", SourceKinds.Monolingual, new Dictionary<string, long> { ["en"] = 10 }, tokenizer: "cc33");
        var config = Config();
        config.Sources.Add(new PreparedSourceConfig { Name = "other", Path = "other" });

        var problem = Assert.Single(Assert.Throws<ConfigException>(() => DataPipeline.Resolve(config, 100, _dirs.Root)).Errors);

        Assert.Equal("data.sources[4].path", problem.Key);
        Assert.Contains("cc33", problem.Rule);
        Assert.Contains(TestManifests.Tokenizer, problem.Rule);
    }

    [Fact]
    public void AbsoluteStageEndsResolve_When_TheRunLengthIsUnknown()
    {
        var curriculum = new CurriculumConfig
        {
            Stages =
            [
                new() { UntilTokens = 5000, Weights = new() { ["english"] = 0.7, ["non-english"] = 0.3 } },
                new() { Weights = new() { ["english"] = 0.4, ["non-english"] = 0.4, ["bilingual"] = 0.2 } },
            ],
        };

        var plan = DataPipeline.Resolve(Config(curriculum), 0, _dirs.Root);

        Assert.Equal([5000L, long.MaxValue], plan.Schedule.Stages.Select(s => s.EndTokens));
        Assert.Equal(0.0, plan.Schedule.WeightsAt(4999)[plan.Groups.ToList().IndexOf("bilingual")]);
        Assert.Equal(0.2, plan.Schedule.WeightsAt(5000)[plan.Groups.ToList().IndexOf("bilingual")], 12);
    }

    [Fact]
    public void FractionStagesAreRefused_When_TheRunLengthIsUnknown()
    {
        var error = Assert.Throws<ConfigException>(() => DataPipeline.Resolve(Config(PolyLm), 0, _dirs.Root));

        Assert.Contains(error.Errors, e => e.Key == "data.curriculum.stages[0].until");
    }
}
