namespace PolyGlot.Cli.Tests.Commands;

public sealed class ExportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RefusesAndKeepsFiles_When_OutputIsNotEmptyWithoutForce()
    {
        // Given an output folder that already holds a file
        var kept = _dir.Write("hf/README.md", "my notes");

        // When a checkpoint is exported into it without --force
        var result = PolyglotProcess.Run(_dir.Path, "export", "--checkpoint", "runs/demo/checkpoints", "--out", "hf");

        // Then the export is refused, says how to proceed, and the file is untouched
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not empty", result.StdErr);
        Assert.Contains("--force", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.Equal("my notes", File.ReadAllText(kept));
        Assert.Single(Directory.EnumerateFileSystemEntries(_dir.File("hf")));
    }

    [Fact]
    public void FailsNamingCheckpoint_When_CheckpointIsMissing()
    {
        var result = PolyglotProcess.Run(_dir.Path, "export", "--checkpoint", "runs/none/step-000100", "--out", "hf");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("runs/none/step-000100", result.StdErr);
        Assert.Contains("no such directory", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.False(Directory.Exists(_dir.File("hf")) && Directory.EnumerateFileSystemEntries(_dir.File("hf")).Any());
    }

    [Fact]
    public void FailsListingChoices_When_DTypeIsUnknown()
    {
        var result = PolyglotProcess.Run(_dir.Path, "export", "--checkpoint", "ckpt", "--out", "hf", "--dtype", "int8");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--dtype int8: use float32, bfloat16 or float16", result.StdErr);
    }
}
