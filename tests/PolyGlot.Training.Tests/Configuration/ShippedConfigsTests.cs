using PolyGlot.Common.Configuration;
using PolyGlot.Data.Preparation;
using PolyGlot.Model.Configuration;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Tests.Configuration;

/// <summary>
/// Every file in configs/ loads and validates: run configs (a top-level <c>model:</c>) as
/// <see cref="RunConfig"/>, data preparation configs (a top-level <c>prepare:</c>) as
/// <see cref="DataPreparationConfig"/>; and the large configs hold what their comments say.
/// </summary>
public sealed class ShippedConfigsTests
{
    public static TheoryData<string> ConfigFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(RepoConfigs.Directory, "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void LoadsAndValidates_When_ShippedInConfigs(string file)
    {
        var path = RepoConfigs.File(file);
        var topLevelKeys = File.ReadLines(path).Where(l => l.Length > 0 && char.IsLetter(l[0])).Select(l => l.Split(':')[0]).ToHashSet();

        if (topLevelKeys.Contains("model"))
            Assert.Equal(Path.GetFileNameWithoutExtension(file), RunConfig.Load(path).Name);
        else if (topLevelKeys.Contains("prepare"))
            Assert.NotEmpty(YamlConfig.Load<DataPreparationConfig>(path).Sources);
        else
            Assert.Fail($"{file} is neither a run config (model:) nor a data preparation config (prepare:); teach this test its type");
    }

    [Theory]
    [InlineData("demo.yaml")]
    [InlineData("polylm-small.yaml")]
    public void ReadsWhatItsPreparationBuilds_When_BuiltFromTheRepository(string file)
    {
        // Given a run built from a data config of the repository, and the repository root as the base of its relative paths
        var config = RunConfig.Load(RepoConfigs.File(file));

        // When its preparation file is loaded and cross-checked
        var preparation = config.LoadPreparation(Path.GetDirectoryName(RepoConfigs.Directory)!);

        // Then the run reads the output root that preparation writes
        Assert.NotNull(preparation);
        Assert.Equal(preparation.Prepare.Output, Assert.Single(config.Data.Sources).Path);
    }

    [Fact]
    public void ListsTheFourPublishedConfigs_When_DirectoryRead()
    {
        var names = System.IO.Directory.GetFiles(RepoConfigs.Directory, "*.yaml").Select(Path.GetFileName).ToHashSet();

        Assert.Superset(new HashSet<string?> { "demo.yaml", "polylm-1.7b.yaml", "polylm-13b.yaml", "llama-1b.yaml" }, names);
    }

    [Theory]
    [InlineData("polylm-1.7b.yaml", 4_194_304, 152_588, 1.74e9)]
    [InlineData("polylm-13b.yaml", 4_194_304, 152_588, 13.9e9)]
    [InlineData("llama-1b.yaml", 2_097_152, 47_684, 1.10e9)]
    public void MatchesCommentedArithmetic_When_LargeConfigLoaded(string file, long tokensPerStep, long steps, double parameters)
    {
        var config = RunConfig.Load(RepoConfigs.File(file));

        Assert.Equal(tokensPerStep, config.Batch(1).TokensPerStep);
        Assert.Equal(steps, config.TotalSteps);
        Assert.Equal(parameters, ModelSize.Of(config.Model).Total, parameters * 0.005);
    }

    [Fact]
    public void TrainsOnCpuWithPolyLmCurriculum_When_Demo()
    {
        var config = RunConfig.Load(RepoConfigs.File("demo.yaml"));

        Assert.Equal("cpu", config.Training.Device);
        Assert.Equal("fp32", config.Precision.Compute);
        Assert.Equal("polylm", config.Data.Curriculum!.Preset);
        Assert.Equal(2, config.Batch(1).Accumulation);
    }
}
