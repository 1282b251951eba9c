using System.Text.Json;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Tests.Metrics;

public sealed class RunEventsWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-events-").FullName;

    private string EventsPath => Path.Combine(_dir, RunEventsWriter.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private List<JsonElement> Lines() => File.ReadAllLines(EventsPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static readonly Dictionary<string, double> Shares = new() { ["english"] = 0.75, ["non-english"] = 0.25 };

    [Fact]
    public void WritesKindStepTimeAndShares_When_StepRecorded()
    {
        var time = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        using (var events = RunEventsWriter.Open(EventsPath, resumedAfterStep: null))
            events.Step(12, Shares, time);

        var line = Assert.Single(Lines());
        Assert.Equal("step", line.GetProperty("kind").GetString());
        Assert.Equal(12, line.GetProperty("step").GetInt64());
        Assert.Equal(time, line.GetProperty("time").GetDateTime().ToUniversalTime());
        Assert.Equal(0.25, line.GetProperty("realized_group_shares").GetProperty("non-english").GetDouble());
    }

    [Fact]
    public void DropsLaterSteps_When_Resumed()
    {
        using (var events = RunEventsWriter.Open(EventsPath, resumedAfterStep: null))
        {
            events.Start(0, null, 10, 100, DateTime.UtcNow);
            for (var s = 1; s <= 6; s++)
                events.Step(s, Shares, DateTime.UtcNow);
            events.Checkpoint(4, "c/step-000004", DateTime.UtcNow);
        }

        using (var events = RunEventsWriter.Open(EventsPath, resumedAfterStep: 4))
            events.Start(4, "c/step-000004", 10, 100, DateTime.UtcNow);

        Assert.Equal(["start", "step", "step", "step", "step", "checkpoint", "start"], Lines().Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal("c/step-000004", Lines()[^1].GetProperty("resumed_from").GetString());
    }

    [Fact]
    public void StartsOver_When_OpenedForAFreshStart()
    {
        using (var events = RunEventsWriter.Open(EventsPath, resumedAfterStep: null))
            events.Step(5, Shares, DateTime.UtcNow);

        using (var events = RunEventsWriter.Open(EventsPath, resumedAfterStep: null))
            events.Start(0, null, 10, 100, DateTime.UtcNow);

        Assert.Equal("start", Assert.Single(Lines()).GetProperty("kind").GetString());
    }
}
