using System.Text.Json;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Tests.Metrics;

public sealed class MetricsWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-metrics-").FullName;

    private string MetricsPath => Path.Combine(_dir, MetricsWriter.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StepMetrics Step(long step, double loss = 2.5) => new()
    {
        Step = step, Loss = loss, Lr = 1e-3, GradNorm = 0.75, TokensPerSecond = 1234.5, TokensConsumed = step * 100,
        LossPerLanguage = new Dictionary<string, double> { ["de"] = 2.75, ["en"] = 2.25 },
        CurriculumShares = new Dictionary<string, double> { ["english"] = 0.6, ["non-english"] = 0.3, ["bilingual"] = 0.1 },
        TokensPerLanguage = new Dictionary<string, long> { ["de"] = 40, ["en"] = 60 },
    };

    private List<JsonElement> Lines() =>
        File.ReadAllLines(MetricsPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public void WritesOneSnakeCaseObjectPerLine_When_StepsWritten()
    {
        using (var writer = MetricsWriter.Open(MetricsPath))
        {
            writer.Write(Step(0));
            writer.Write(Step(1));
        }

        var lines = Lines();
        Assert.Equal(2, lines.Count);
        Assert.Equal("train", lines[1].GetProperty("kind").GetString());
        Assert.Equal(1, lines[1].GetProperty("step").GetInt64());
        Assert.Equal(2.75, lines[1].GetProperty("loss_per_language").GetProperty("de").GetDouble());
        Assert.Equal(0.3, lines[1].GetProperty("curriculum_shares").GetProperty("non-english").GetDouble());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("mfu").ValueKind);
    }

    [Fact]
    public void IsReadableBeforeDispose_When_LineWritten()
    {
        // Given a writer that is still open (as in a run that is about to crash)
        using var writer = MetricsWriter.Open(MetricsPath);
        writer.Write(Step(7));

        // Then another reader already sees the line
        using var reader = new FileStream(MetricsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var text = new StreamReader(reader);
        Assert.Contains("\"step\":7", text.ReadToEnd());
    }

    [Fact]
    public void WritesNull_When_LossIsNaN()
    {
        using (var writer = MetricsWriter.Open(MetricsPath))
            writer.Write(Step(3, double.NaN));

        Assert.Equal(JsonValueKind.Null, Lines()[0].GetProperty("loss").ValueKind);
    }

    [Fact]
    public void DropsLaterSteps_When_ResumedFromEarlierCheckpoint()
    {
        // Given steps 0..5 and a torn last line from a crash
        using (var writer = MetricsWriter.Open(MetricsPath))
        {
            for (var s = 0; s <= 5; s++)
                writer.Write(Step(s));
            writer.Write(new EvalMetrics { Step = 4, Loss = 3 });
        }
        File.AppendAllText(MetricsPath, "{\"kind\":\"train\",\"st");

        // When the run resumes after step 3 and writes step 4 again
        using (var writer = MetricsWriter.Open(MetricsPath, resumedAfterStep: 3))
            writer.Write(Step(4, loss: 9));

        // Then each step appears once, the new step 4 last
        var lines = Lines();
        Assert.Equal([0L, 1, 2, 3, 4], lines.Select(l => l.GetProperty("step").GetInt64()));
        Assert.Equal(9, lines[^1].GetProperty("loss").GetDouble());
    }

    [Fact]
    public void WritesEvalKindPerLanguage_When_EvalWritten()
    {
        using (var writer = MetricsWriter.Open(MetricsPath))
            writer.Write(new EvalMetrics { Step = 100, Loss = 3.5, BitsPerBytePerLanguage = new Dictionary<string, double> { ["ja"] = 1.25 } });

        var line = Assert.Single(Lines());
        Assert.Equal("eval", line.GetProperty("kind").GetString());
        Assert.Equal(1.25, line.GetProperty("bits_per_byte_per_language").GetProperty("ja").GetDouble());
    }
}
