namespace PolyGlot.Cli.Tests.Commands;

public sealed class ScoreCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FailsSayingTextIsEmpty_When_TextIsEmpty()
    {
        var result = PolyglotProcess.Run(_dir.Path, "score", "--checkpoint", "ckpt", "--text", "");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--text is empty", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public void FailsNamingCheckpoint_When_CheckpointIsMissing()
    {
        var result = PolyglotProcess.Run(_dir.Path, "score", "--checkpoint", "nowhere", "--text", "Hallo Welt");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Checkpoint nowhere: no such directory", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }
}
