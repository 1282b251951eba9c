using PolyGlot.Training.Metrics;
using PolyGlot.Training.Reporting;

namespace PolyGlot.Training.Tests.Reporting;

public sealed class RunHistoryReaderTests : IDisposable
{
    private readonly RunDirectory _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public void ReadsEveryCompleteLineAndNotesTheTornOne_When_LastLineIsTruncated()
    {
        // Given 40 steps and a last line cut off mid-write by a crash
        _run.WriteSteps(0, 40, RunDirectory.Languages(3), evalEvery: 20);
        File.AppendAllText(_run.MetricsPath, "{\"kind\":\"train\",\"step\":41,\"loss\":3.1,\"loss_per_lan");

        // When the run is read
        var history = RunHistoryReader.Read(_run.Path);

        // Then the 40 steps and 2 evaluations are there, and a note names the torn line
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), history.Steps.Select(s => s.Step));
        Assert.Equal([20L, 40], history.Evals.Select(e => e.Step));
        Assert.Contains(history.Notes, n => n.Contains("last line of metrics.jsonl is incomplete", StringComparison.Ordinal));
    }

    [Fact]
    public void ReturnsEmptyHistoryWithNotes_When_DirectoryHoldsNothingYet()
    {
        var history = RunHistoryReader.Read(_run.Path);

        Assert.Empty(history.Steps);
        Assert.Contains(history.Notes, n => n.StartsWith("metrics.jsonl does not exist", StringComparison.Ordinal));
        Assert.Contains(history.Notes, n => n.StartsWith("config.yaml does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Throws_When_DirectoryDoesNotExist()
    {
        var missing = Path.Combine(_run.Path, "nope");

        var error = Assert.Throws<DirectoryNotFoundException>(() => RunHistoryReader.Read(missing));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void NotesBadLinesAndKeepsTheRest_When_MiddleLineIsNotJson()
    {
        _run.WriteSteps(0, 3, ["en"]);
        var lines = File.ReadAllLines(_run.MetricsPath).ToList();
        lines.Insert(1, "garbage");
        File.WriteAllLines(_run.MetricsPath, lines);

        var history = RunHistoryReader.Read(_run.Path);

        Assert.Equal(3, history.Steps.Count);
        Assert.Contains(history.Notes, n => n.Contains("line 2", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadsResumeCheckpointsAndWallTime_When_EventsRecordTwoInvocations()
    {
        // Given a first invocation of steps 1..12 with a checkpoint after step 10 that took 20 s,
        // then a resume that took 5 s more
        var t0 = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        using (var events = RunEventsWriter.Open(_run.EventsPath, resumedAfterStep: null))
        {
            events.Start(0, null, 1234, 20, t0);
            for (var s = 1; s <= 12; s++)
                events.Step(s, new Dictionary<string, double> { ["english"] = 0.5, ["non-english"] = 0.5 }, t0.AddSeconds(s));
            events.Checkpoint(10, "runs/x/checkpoints/step-000010", t0.AddSeconds(20));
        }
        using (var events = RunEventsWriter.Open(_run.EventsPath, resumedAfterStep: 10))
        {
            events.Start(10, "runs/x/checkpoints/step-000010", 1234, 20, t0.AddHours(1));
            events.Step(11, new Dictionary<string, double> { ["english"] = 1.0, ["non-english"] = 0.0 }, t0.AddHours(1).AddSeconds(5));
        }

        // When read
        var history = RunHistoryReader.Read(_run.Path);

        // Then steps 11 and 12 of the first invocation are gone, and the hour between runs is not counted
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), history.Mix.Select(m => m.Step));
        Assert.Equal(1.0, history.Mix[^1].Realized["english"]);
        Assert.Equal([MarkerKind.Start, MarkerKind.Checkpoint, MarkerKind.Resume], history.Markers.Select(m => m.Kind));
        Assert.Equal(10, history.Markers.Single(m => m.Kind == MarkerKind.Resume).Step);
        Assert.Equal(TimeSpan.FromSeconds(25), history.WallTime);
        Assert.Equal(1234, history.Parameters);
        Assert.Equal(20, history.TotalSteps);
    }

    [Fact]
    public void MarksACheckpointOnce_When_EventsAndDiskBothHoldIt()
    {
        // Given a checkpoint after step 10, recorded in events.jsonl and complete on disk
        var directory = Directory.CreateDirectory(Path.Combine(_run.Path, "checkpoints", "step-000010")).FullName;
        File.WriteAllText(Path.Combine(directory, "COMPLETE"), "");
        using (var events = RunEventsWriter.Open(_run.EventsPath, resumedAfterStep: null))
        {
            events.Start(0, null, 1234, 20, DateTime.UtcNow);
            events.Checkpoint(10, directory, DateTime.UtcNow);
        }

        // When read, then one checkpoint marker after step 10 is there
        var marker = Assert.Single(RunHistoryReader.Read(_run.Path).Markers, m => m.Kind == MarkerKind.Checkpoint);
        Assert.Equal(10, marker.Step);
    }

    [Fact]
    public void MarksCheckpointsOnDisk_When_RunPredatesEventsFile()
    {
        // Given a complete checkpoint after step 100 and an incomplete one after step 200
        var complete = Directory.CreateDirectory(Path.Combine(_run.Path, "checkpoints", "step-000100")).FullName;
        File.WriteAllText(Path.Combine(complete, "COMPLETE"), "");
        Directory.CreateDirectory(Path.Combine(_run.Path, "checkpoints", "step-000200"));

        var history = RunHistoryReader.Read(_run.Path);

        var marker = Assert.Single(history.Markers);
        Assert.Equal((MarkerKind.Checkpoint, 100L), (marker.Kind, marker.Step));
        Assert.Null(history.WallTime);
    }

    [Fact]
    public void NormalisesScheduledShares_When_RunWithoutCurriculumReportsSizeWeights()
    {
        // Given a run without a curriculum, whose metrics carry tokens^alpha weights
        using (var writer = MetricsWriter.Open(_run.MetricsPath))
            writer.Write(new StepMetrics { Step = 1, Loss = 3, CurriculumShares = new Dictionary<string, double> { ["english"] = 16.5, ["non-english"] = 5.5 } });

        var shares = Assert.Single(RunHistoryReader.Read(_run.Path).Steps).ScheduledShares;

        Assert.Equal(0.75, shares["english"], 12);
        Assert.Equal(0.25, shares["non-english"], 12);
    }

    [Fact]
    public void OrdersLanguagesByTokensConsumed_When_StepsListSeveral()
    {
        _run.WriteSteps(0, 2, ["ko", "en", "de"]);

        var history = RunHistoryReader.Read(_run.Path);

        // RunDirectory gives the i-th language 1/(i+1) of the tokens
        Assert.Equal(["ko", "en", "de"], history.Languages);
    }
}
