using PolyGlot.Common.Configuration;
using PolyGlot.Data.Corpus;

namespace PolyGlot.Data.Tests.Corpus;

public sealed class SourceConfigTests
{
    [Fact]
    public void ErrorsNameTheKey_When_AMonolingualSourceHasNoLanguage()
    {
        var errors = new ConfigErrors();
        new CorpusSourceConfig { Name = "wiki", Path = "x.txt" }.Validate(errors, "sources[0]");
        Assert.Contains(errors.All, e => e.Key == "sources[0].lang");
    }

    [Fact]
    public void ErrorsNameTheKey_When_TheFormatIsUnknown()
    {
        var errors = new ConfigErrors();
        new CorpusSourceConfig { Name = "wiki", Path = "x.csv", Format = "csv", Lang = "en" }.Validate(errors, "sources[1]");
        var error = Assert.Single(errors.All);
        Assert.Equal("sources[1].format", error.Key);
    }

    [Fact]
    public void ErrorsNameTheKey_When_TheNameCannotBeADirectory()
    {
        var errors = new ConfigErrors();
        new CorpusSourceConfig { Name = "../up", Path = "x.txt", Lang = "en" }.Validate(errors, "s");
        Assert.Equal("s.name", Assert.Single(errors.All).Key);
    }
}
