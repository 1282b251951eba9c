using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Tests.Reporting;

/// <summary>
/// A run directory under the temp folder, filled by the same writers that training uses
/// (<see cref="MetricsWriter"/>, <see cref="RunEventsWriter"/>): the losses fall with the step
/// and differ per language, so that a report has curves to draw. Deleted on dispose.
/// </summary>
internal sealed class RunDirectory : IDisposable
{
    public RunDirectory(string name = "run") =>
        Path = Directory.CreateTempSubdirectory($"pg-report-{name}-").FullName;

    public string Path { get; }

    public string MetricsPath => System.IO.Path.Combine(Path, MetricsWriter.FileName);

    public string EventsPath => System.IO.Path.Combine(Path, RunEventsWriter.FileName);

    public static string[] Languages(int count) =>
        new[] { "en", "de", "fr", "ru", "ja", "zh", "ko", "el", "es", "it", "pt", "nl", "pl", "tr", "ar", "hi", "vi", "th", "id", "sv" }[..count];

    /// <summary>Writes the steps after <paramref name="from"/> up to <paramref name="to"/> (counted from 1), with an evaluation every <paramref name="evalEvery"/> steps.</summary>
    public void WriteSteps(long from, long to, IReadOnlyList<string> languages, int evalEvery = 50, long? resumedAfter = null, double lossScale = 1)
    {
        using var writer = MetricsWriter.Open(MetricsPath, resumedAfter ?? from);
        for (var s = from + 1; s <= to; s++)
        {
            writer.Write(Step(s, languages, lossScale));
            if (s % evalEvery == 0)
                writer.Write(new EvalMetrics
                {
                    Step = s,
                    Loss = Loss(s, 0, lossScale),
                    LossPerLanguage = languages.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => Loss(s, p.i, lossScale)),
                    BitsPerBytePerLanguage = languages.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => Loss(s, p.i, lossScale) / Math.Log(2) / 3),
                });
        }
    }

    public static StepMetrics Step(long s, IReadOnlyList<string> languages, double lossScale = 1) => new()
    {
        Step = s,
        Loss = Loss(s, 0, lossScale),
        LossPerLanguage = languages.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => Loss(s, p.i, lossScale)),
        Lr = 3e-3 * Math.Min(1, s / 30.0),
        GradNorm = 1.0 / (1 + s * 0.01),
        TokensPerSecond = 4000 + s,
        CurriculumShares = s <= 240
            ? new Dictionary<string, double> { ["english"] = 0.65, ["non-english"] = 0.30, ["bilingual"] = 0.05 }
            : new Dictionary<string, double> { ["english"] = 0.30, ["non-english"] = 0.60, ["bilingual"] = 0.10 },
        TokensPerLanguage = languages.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => s * 2048L / (p.i + 1)),
        TokensConsumed = s * 2048,
        Skipped = s == 78,
        StepSeconds = 0.5,
    };

    public static double Loss(long step, int language, double scale) => scale * (2 + 0.1 * language + 6.0 / (1 + step * 0.05));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
