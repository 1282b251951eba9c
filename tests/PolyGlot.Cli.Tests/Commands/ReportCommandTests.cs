using PolyGlot.Training.Metrics;

namespace PolyGlot.Cli.Tests.Commands;

public sealed class ReportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // A run directory written by the trainer's own metrics writer: steps 1..count over two languages.
    private string WriteRun(string name, int count, double lossScale = 1)
    {
        var runDir = _dir.File(name);
        using var writer = MetricsWriter.Open(Path.Combine(runDir, MetricsWriter.FileName));
        for (var s = 0; s < count; s++)
            writer.Write(new StepMetrics
            {
                Step = s + 1,
                Loss = lossScale * (3 + 5.0 / (1 + s)),
                LossPerLanguage = new Dictionary<string, double> { ["en"] = lossScale * (3 + 5.0 / (1 + s)), ["sw"] = lossScale * (4 + 5.0 / (1 + s)) },
                Lr = 1e-3,
                GradNorm = 1,
                TokensPerSecond = 1000,
                TokensPerLanguage = new Dictionary<string, long> { ["en"] = (s + 1) * 100L, ["sw"] = (s + 1) * 28L },
                TokensConsumed = (s + 1) * 128L,
                StepSeconds = 0.1,
            });
        return runDir;
    }

    [Fact]
    public void WritesSelfContainedReportInRunDirectory_When_NoOutGiven()
    {
        var runDir = WriteRun("runs/a", 20);

        var result = PolyglotProcess.Run(_dir.Path, "report", "runs/a");

        Assert.Equal(0, result.ExitCode);
        var html = File.ReadAllText(Path.Combine(runDir, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<svg", html);
        Assert.Contains(">sw</text>", html);
        Assert.Contains(Path.Combine(runDir, "report.html"), result.StdOut);
    }

    [Fact]
    public void OverlaysRunsInOneFile_When_SeveralRunDirectoriesAndOut()
    {
        WriteRun("runs/a", 20);
        WriteRun("runs/b", 10, lossScale: 1.5);

        var result = PolyglotProcess.Run(_dir.Path, "report", "runs/a", "runs/b", "--out", "compare.html");

        Assert.Equal(0, result.ExitCode);
        var html = File.ReadAllText(_dir.File("compare.html"));
        Assert.Contains("Run comparison: a vs b", html);
        Assert.Contains(">run b</text>", html);
    }

    [Fact]
    public void ReportsWhatIsThereAndWarns_When_LastMetricsLineIsTorn()
    {
        var runDir = WriteRun("runs/crashed", 5);
        File.AppendAllText(Path.Combine(runDir, MetricsWriter.FileName), "{\"kind\":\"train\",\"step\":5,\"lo");

        var result = PolyglotProcess.Run(_dir.Path, "report", "runs/crashed");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("the last line of metrics.jsonl is incomplete", result.StdErr);
        Assert.Contains("5 steps", File.ReadAllText(Path.Combine(runDir, "report.html")));
    }

    [Fact]
    public void FailsWithOneLine_When_RunDirectoryDoesNotExist()
    {
        var result = PolyglotProcess.Run(_dir.Path, "report", "runs/missing");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("report failed: runs/missing: no such run directory", result.StdErr);
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsAskingForOut_When_SeveralRunsWithoutOut()
    {
        WriteRun("runs/a", 2);
        WriteRun("runs/b", 2);

        var result = PolyglotProcess.Run(_dir.Path, "report", "runs/a", "runs/b");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pass --out FILE", result.StdErr);
        Assert.False(File.Exists(_dir.File("runs/a/report.html")));
    }
}
