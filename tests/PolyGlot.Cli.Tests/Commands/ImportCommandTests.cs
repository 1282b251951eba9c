namespace PolyGlot.Cli.Tests.Commands;

public sealed class ImportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FailsNamingTheKey_When_ConfigSetsRopeScaling()
    {
        // Given a Llama folder whose config.json asks for linear rope scaling
        _dir.Write("hf/config.json", """
            {"architectures": ["LlamaForCausalLM"], "vocab_size": 64, "hidden_size": 16, "intermediate_size": 32,
             "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 32,
             "rope_scaling": {"rope_type": "linear", "factor": 4.0}}
            """);
        _dir.Write("hf/tokenizer.model", "not read before the config is refused");

        // When it is imported
        var result = PolyglotProcess.Run(_dir.Path, "import", "hf", "--out", "ckpt");

        // Then one error line names the key and its value, and no output is left
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'rope_scaling'", result.StdErr);
        Assert.Contains("linear", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.False(Directory.Exists(_dir.File("ckpt")));
    }

    [Fact]
    public void FailsNamingConfigJson_When_FolderHasNone()
    {
        // Given a folder without config.json, when it is imported, then the error says what a model folder holds
        Directory.CreateDirectory(_dir.File("empty"));
        var result = PolyglotProcess.Run(_dir.Path, "import", "empty", "--out", "ckpt");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no config.json", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsListingChoices_When_NewTokenInitIsUnknown()
    {
        var result = PolyglotProcess.Run(_dir.Path, "import", "hf", "--out", "ckpt", "--new-token-init", "random");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("piece-mean or vocabulary-mean", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }
}
