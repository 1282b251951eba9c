using PolyGlot.Common.Configuration;

namespace PolyGlot.Common.Tests.Configuration;

public sealed class YamlConfigTests
{
    private sealed class Section : IValidatedConfig
    {
        public int SeqLen { get; set; } = 16;
        public string Name { get; set; } = "demo";

        public void Validate(ConfigErrors errors, string path)
        {
            errors.RequirePositive(SeqLen, ConfigPath.Join(path, "seq_len"));
            errors.RequireText(Name, ConfigPath.Join(path, "name"));
        }
    }

    private sealed class Root : IValidatedConfig
    {
        public Section Data { get; set; } = new();

        public void Validate(ConfigErrors errors, string path) =>
            Data.Validate(errors, ConfigPath.Join(path, "data"));
    }

    [Fact]
    public void Reads_SnakeCaseKeys_When_Valid()
    {
        var config = YamlConfig.Parse<Root>("data:\n  seq_len: 64\n  name: x\n", "test.yaml");

        Assert.Equal(64, config.Data.SeqLen);
        Assert.Equal("x", config.Data.Name);
    }

    [Fact]
    public void NamesKeyValueAndRule_When_RuleBroken()
    {
        var e = Assert.Throws<ConfigException>(() =>
            YamlConfig.Parse<Root>("data:\n  seq_len: -3\n  name: ''\n", "run.yaml"));

        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("data.seq_len = -3: must be greater than 0", e.Message);
        Assert.Contains("data.name = '': must be set", e.Message);
        Assert.Contains("run.yaml", e.Message);
    }

    [Fact]
    public void NamesLine_When_KeyUnknown()
    {
        var e = Assert.Throws<ConfigException>(() =>
            YamlConfig.Parse<Root>("data:\n  seq_lenn: 3\n", "run.yaml"));

        Assert.Contains("unknown key", e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void SaysFileMissing_When_PathDoesNotExist()
    {
        var e = Assert.Throws<ConfigException>(() => YamlConfig.Load<Root>("/nonexistent/run.yaml"));

        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void NamesExpectedShapeWithoutDotNetTypes_When_ValueHasWrongShape()
    {
        var e = Assert.Throws<ConfigException>(() =>
            YamlConfig.Parse<Root>("data:\n  name: [a, b]\n", "run.yaml"));

        Assert.Contains("line 2", e.Message);
        Assert.Contains("expected a single text value", e.Message);
        Assert.DoesNotContain("System.", e.Message);
    }

    [Fact]
    public void SaysDirectory_When_PathIsADirectory()
    {
        var e = Assert.Throws<ConfigException>(() => YamlConfig.Load<Root>(Path.GetTempPath()));

        Assert.Contains("is a directory", e.Message);
    }
}
