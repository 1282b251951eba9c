namespace PolyGlot.Cli.Tests.Commands;

public sealed class TokenizerCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritesModelOfRequestedSize_When_SourcesExist()
    {
        DataConfigFixture.Write(_dir, withMissingSource: false);

        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"en {DataConfigFixture.Lines} of {DataConfigFixture.Lines} sentences", result.StdErr);
        Assert.Contains("wrote out/tokenizer/tokenizer.model (320 pieces)", result.StdErr);
        Assert.True(new FileInfo(_dir.File("out/tokenizer/tokenizer.model")).Length > 0);
    }

    [Fact]
    public void FailsNamingSourceAndPath_When_SourceFileIsMissing()
    {
        // Given a config whose second source points at a file that is not there
        DataConfigFixture.Write(_dir, withMissingSource: true);

        // When a tokenizer is trained on every source
        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml");

        // Then it fails naming the source and its path, and writes no model
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("corpus/ghost.txt: source 'ghost': the file does not exist", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.False(File.Exists(_dir.File("out/tokenizer/tokenizer.model")));
        Assert.False(Directory.Exists(_dir.File("out")), "a failed check of the inputs must not leave an output folder");
    }

    [Fact]
    public void RefusesNamingTheOtherProcess_When_AnotherProcessHoldsTheOutput()
    {
        // Given this test process holding the tokenizer's output directory
        DataConfigFixture.Write(_dir, withMissingSource: false);
        using var held = Common.IO.DirectoryLock.Acquire(_dir.File("out/tokenizer"), "polyglot tokenizer train");

        // When a polyglot process trains into the same directory
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml");

        // Then it refuses at once, naming this process's PID, host and start time, and writes no model
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"is in use by another process: PID {Environment.ProcessId} on {Environment.MachineName}, started ", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.False(File.Exists(_dir.File("out/tokenizer/tokenizer.model")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public void TrainsAfterAWarning_When_TheLockWasLeftByADeadProcess()
    {
        // Given the output directory's lock file left by a polyglot process that was killed
        DataConfigFixture.Write(_dir, withMissingSource: false);
        using (var killed = PolyglotProcess.Start(_dir.Path, new Dictionary<string, string>(), "--help"))
        {
            killed.WaitForExit();
            var holder = new Common.IO.LockHolder(killed.Id, Environment.MachineName, DateTime.UtcNow.AddSeconds(-5), "polyglot tokenizer train");
            _dir.Write("out/tokenizer/" + Common.IO.DirectoryLock.FileName, System.Text.Encoding.UTF8.GetString(holder.ToBytes()));
        }

        // When the tokenizer is trained
        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml");

        // Then the stale lock does not block, the warning names it, and the lock is gone afterwards
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("removing the stale lock of PID", result.StdErr);
        Assert.True(File.Exists(_dir.File("out/tokenizer/tokenizer.model")));
        Assert.False(File.Exists(_dir.File("out/tokenizer/" + Common.IO.DirectoryLock.FileName)));
    }

    [Fact]
    public void FailsNamingKeyAndRule_When_OverrideBreaksARule()
    {
        DataConfigFixture.Write(_dir, withMissingSource: false);

        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml", "--vocab-size", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("tokenizer.vocab_size = 0", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsPointingAtTokenizerTrain_When_ReportHasNoTokenizer()
    {
        DataConfigFixture.Write(_dir, withMissingSource: false);

        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "report", "--config", "data.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("out/tokenizer/tokenizer.model does not exist", result.StdErr);
        Assert.Contains("polyglot tokenizer train", result.StdErr);
    }

    [Fact]
    public void FailsNamingKeyAndFix_When_OutputIsAFile()
    {
        DataConfigFixture.Write(_dir, withMissingSource: false);
        _dir.Write("taken", "not a directory");

        var result = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml", "--out", "taken");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("tokenizer.output = taken: is a file", result.StdErr);
        Assert.Contains("--out DIR", result.StdErr);
        Assert.Equal("not a directory", File.ReadAllText(_dir.File("taken")));
    }
}
