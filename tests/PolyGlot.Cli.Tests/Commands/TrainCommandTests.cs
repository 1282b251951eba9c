namespace PolyGlot.Cli.Tests.Commands;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FailsNamingFile_When_ConfigIsMissing()
    {
        var result = PolyglotProcess.Run(_dir.Path, "train", "--config", "runs/missing.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("runs/missing.yaml: the configuration file does not exist", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsNamingKeyValueAndRule_When_ConfigBreaksARule()
    {
        // Given a run configuration whose vocabulary size is negative
        _dir.Write("run.yaml", """
            name: broken
            model:
              vocab_size: -5
            """);

        // When training starts
        var result = PolyglotProcess.Run(_dir.Path, "train", "--config", "run.yaml");

        // Then the error names the file, key, value and rule, and nothing is created
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Invalid configuration in run.yaml", result.StdErr);
        Assert.Contains("model.vocab_size = -5: must be greater than 0", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.Equal(["run.yaml"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void FailsNamingKey_When_ConfigHasUnknownKey()
    {
        _dir.Write("run.yaml", """
            name: typo
            modle:
              vocab_size: 8000
            """);

        var result = PolyglotProcess.Run(_dir.Path, "train", "--config", "run.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("modle", result.StdErr);
        Assert.Contains("unknown key", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void PrintsUsage_When_ConfigOptionIsAbsent()
    {
        var result = PolyglotProcess.Run(_dir.Path, "train");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Option '--config' is required", result.StdErr + result.StdOut);
    }

    [Fact]
    public void RefusesNamingTheOtherProcess_When_AnotherProcessHoldsTheRunDirectory()
    {
        // Given a valid run configuration and this test process holding its run directory
        _dir.Write("run.yaml", MinimalRunConfig.Yaml + "logging: {run_dir: runs/t}\n");
        using var held = Common.IO.DirectoryLock.Acquire(_dir.File("runs/t"), "polyglot train");

        // When a polyglot process trains in the same run directory
        var result = PolyglotProcess.Run(_dir.Path, "train", "--config", "run.yaml");

        // Then it refuses before touching it, naming this process's PID, host and start time
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"runs/t is in use by another process: PID {Environment.ProcessId} on {Environment.MachineName}, started ", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.Equal([Common.IO.DirectoryLock.FileName], Directory.EnumerateFileSystemEntries(_dir.File("runs/t")).Select(Path.GetFileName));
    }
}
