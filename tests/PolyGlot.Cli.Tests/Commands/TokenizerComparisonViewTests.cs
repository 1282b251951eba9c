using System.Text.Json;

namespace PolyGlot.Cli.Tests.Commands;

public sealed class TokenizerComparisonViewTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritesBothReportsAndTheVerdict_When_ComparedWithO200k()
    {
        // Given a trained tokenizer and an English<->German pair in the report sources
        DataConfigFixture.Write(_dir, withMissingSource: false);
        _dir.Write("corpus/en-de.tsv", "the quick brown fox\tder schnelle braune Fuchs\n");
        File.AppendAllText(_dir.File("data.yaml"), """

            report:
              sources:
                - {name: english, path: corpus/en.txt, lang: en}
                - {name: pairs, path: corpus/en-de.tsv, format: tsv-pairs, src_lang: en, tgt_lang: de}
            """);
        var trained = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml");
        Assert.True(trained.ExitCode == 0, trained.ToString());

        // When the report compares it with o200k
        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "report", "--config", "data.yaml", "--compare", "o200k", "--json", "report.json");

        // Then the JSON holds both reports and the premium of de under each
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(_dir.File("report.json")));
        Assert.Equal("o200k_base", json.RootElement.GetProperty("reference").GetProperty("tokenizer").GetString());
        var premium = Assert.Single(json.RootElement.GetProperty("premiums").EnumerateArray());
        Assert.Equal("de", premium.GetProperty("language").GetString());
        Assert.True(premium.GetProperty("reference").GetDouble() > 0);
        Assert.Contains("o200k_base", result.StdOut);
    }

    [Fact]
    public void FailsSayingWhatIsAccepted_When_TheReferenceDoesNotExist()
    {
        // Given a trained tokenizer
        DataConfigFixture.Write(_dir, withMissingSource: false);
        Assert.Equal(0, PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml").ExitCode);

        // When the report compares with a path that is not there
        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "report", "--config", "data.yaml", "--compare", "nothing.tiktoken");

        // Then one error line says what --compare accepts
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--compare nothing.tiktoken: not found; pass 'o200k', a .tiktoken file", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }
}
