namespace PolyGlot.Cli.Tests.Commands;

public sealed class GenerateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FailsSayingPromptIsEmpty_When_PromptIsEmpty()
    {
        var result = PolyglotProcess.Run(_dir.Path, "generate", "--checkpoint", "ckpt", "--prompt", "");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--prompt is empty", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.Empty(result.StdOut);
    }

    [Theory]
    [InlineData("--top-p", "2", "top-p must be greater than 0 and at most 1; got 2")]
    [InlineData("--temperature", "-1", "temperature must be 0 (greedy) or positive; got -1")]
    public void FailsNamingSettingAndRule_When_SamplingSettingIsOutOfRange(string option, string value, string message)
    {
        var result = PolyglotProcess.Run(_dir.Path, "generate", "--checkpoint", "ckpt", "--prompt", "Hallo", option, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }
}
