using PolyGlot.Parquet.Reading;

namespace PolyGlot.Cli.Tests.Commands;

public sealed class PrepareCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void TrainTokenizer()
    {
        var trained = PolyglotProcess.Run(_dir.Path, "tokenizer", "train", "--config", "data.yaml", "--out", "out/tokenizer");
        Assert.True(trained.ExitCode == 0, trained.ToString());
    }

    [Fact]
    public void WritesShardsHoldingEveryDocument_When_SourcesExist()
    {
        // Given a trained tokenizer
        DataConfigFixture.Write(_dir, withMissingSource: false);
        TrainTokenizer();

        // When the source is prepared
        var result = PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml");

        // Then a manifest and shards hold one row per document
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"prepare: english prepared: {DataConfigFixture.Lines} documents", result.StdErr);
        Assert.True(File.Exists(_dir.File("out/shards/english/manifest.json")));
        var rows = Directory.GetFiles(_dir.File("out/shards/english"), "*.parquet").Sum(path =>
        {
            using var reader = ParquetReader.Open(path);
            return reader.RowCount;
        });
        Assert.Equal(DataConfigFixture.Lines, rows);
    }

    [Fact]
    public void ReportsUpToDate_When_RunTwice()
    {
        DataConfigFixture.Write(_dir, withMissingSource: false);
        TrainTokenizer();
        Assert.Equal(0, PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml").ExitCode);

        var again = PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("prepare: english up to date", again.StdErr);
    }

    [Fact]
    public void FailsNamingSourceAndPath_When_SourceFileIsMissing()
    {
        // Given a tokenizer trained on the English source only, and a config with a missing second source
        DataConfigFixture.Write(_dir, withMissingSource: false);
        TrainTokenizer();
        DataConfigFixture.Write(_dir, withMissingSource: true);

        // When every source is prepared
        var result = PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml");

        // Then the missing source is named with its path before anything is written: no shard folder exists
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("prepare: english prepared", result.StdErr);
        Assert.Contains("corpus/ghost.txt: source 'ghost': the file does not exist", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.False(Directory.Exists(_dir.File("out/shards")), "a failed check of the inputs must not leave an output folder");
    }

    [Fact]
    public void RefusesNamingTheOtherProcess_When_AnotherProcessHoldsTheOutput()
    {
        // Given a trained tokenizer and this test process holding the shard output directory
        DataConfigFixture.Write(_dir, withMissingSource: false);
        TrainTokenizer();
        using var held = Common.IO.DirectoryLock.Acquire(_dir.File("out/shards"), "polyglot prepare");

        // When a polyglot process prepares into it
        var result = PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml");

        // Then it refuses, naming this process, and writes no shard
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"is in use by another process: PID {Environment.ProcessId} on {Environment.MachineName}", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.False(Directory.Exists(_dir.File("out/shards/english")));
    }

    [Fact]
    public void FailsPointingAtTokenizerTrain_When_TokenizerIsMissing()
    {
        DataConfigFixture.Write(_dir, withMissingSource: false);

        var result = PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("out/tokenizer/tokenizer.model does not exist", result.StdErr);
        Assert.Contains("polyglot tokenizer train", result.StdErr);
    }

    [Fact]
    public void FailsNamingSource_When_SourceOptionIsUnknown()
    {
        DataConfigFixture.Write(_dir, withMissingSource: false);
        TrainTokenizer();

        var result = PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml", "--source", "klingon");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--source names unknown source(s): klingon", result.StdErr);
    }

    [Fact]
    public void FailsNamingKeyAndRule_When_ThreadsOverrideIsNegative()
    {
        // Given a tokenizer ready to prepare with
        DataConfigFixture.Write(_dir, withMissingSource: false);
        TrainTokenizer();

        // When a negative thread count is passed
        var result = PolyglotProcess.Run(_dir.Path, "prepare", "--config", "data.yaml", "--threads", "-3");

        // Then it is refused by the rule of prepare.threads, before any shard is written
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("prepare.threads = -3", result.StdErr);
        Assert.False(Directory.Exists(_dir.File("out/shards")));
    }
}
