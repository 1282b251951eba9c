namespace PolyGlot.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FailsShowingExpectedForm_When_DataHasNoLanguage()
    {
        var result = PolyglotProcess.Run(_dir.Path, "eval", "--checkpoint", "ckpt", "--data", "de.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--data de.txt: expected LANG=FILE", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsNamingFile_When_DataFileIsMissing()
    {
        var result = PolyglotProcess.Run(_dir.Path, "eval", "--checkpoint", "ckpt", "--data", "de=held/de.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the file held/de.txt does not exist", result.StdErr);
    }
}
