using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Reporting;

namespace PolyGlot.Training.Tests.Reporting;

public sealed partial class ReportPageTests : IDisposable
{
    private readonly RunDirectory _a = new("a");
    private readonly RunDirectory _b = new("b");

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private static string Render(params RunDirectory[] runs) =>
        ReportPage.Render(runs.Select(r => RunHistoryReader.Read(r.Path)).ToList(), DateTime.UtcNow);

    private static List<XElement> Charts(string html) =>
        SvgElement().Matches(html).Select(m => XElement.Parse(m.Value)).ToList();

    [Fact]
    public void FetchesNothingFromOutside_When_Rendered()
    {
        _a.WriteSteps(0, 300, RunDirectory.Languages(8));

        var html = Render(_a);

        Assert.DoesNotMatch("(?i)https?:|<script|<link|<img|<iframe|@import|url\\(|src=|href=", html);
    }

    [Fact]
    public void DrawsEveryChartAsWellFormedSvg_When_RunHasStepsAndEvaluations()
    {
        _a.WriteSteps(0, 300, RunDirectory.Languages(8));

        var charts = Charts(Render(_a));

        var titles = charts.Select(c => c.Elements("text").First().Value).ToList();
        Assert.Equal(["Training loss", "Training loss per language (smoothed)", "Held-out loss per language", "Held-out bits per byte per language",
            "Data mix: scheduled vs realised", "Learning rate", "Gradient norm", "Throughput"], titles);
        Assert.All(charts, c => Assert.NotEmpty(c.Descendants("path")));
    }

    [Fact]
    public void AddsAnMfuChartInPercent_When_RunReportsMfu()
    {
        // Given a GPU run's metrics, MFU 0.40 rising to 0.49
        using (var writer = MetricsWriter.Open(_a.MetricsPath))
            for (var s = 0; s < 10; s++)
                writer.Write(new StepMetrics { Step = s, Loss = 3, Mfu = 0.40 + s * 0.01 });

        var mfu = Charts(Render(_a)).Single(c => c.Elements("text").First().Value == "MFU");

        var texts = mfu.Descendants("text").Select(t => t.Value).ToList();
        Assert.Contains("MFU (%)", texts);
        var yTicks = mfu.Descendants("text").Where(t => t.Attribute("text-anchor")?.Value == "end").Select(t => double.Parse(t.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(yTicks.Min() <= 40 && yTicks.Max() >= 49, string.Join(", ", yTicks));
    }

    [Fact]
    public void NamesAllTwentyLanguagesInEachPerLanguageLegend_When_RunHasTwentyLanguages()
    {
        _a.WriteSteps(0, 100, RunDirectory.Languages(20));

        var perLanguage = Charts(Render(_a)).Where(c => c.Elements("text").First().Value.Contains("per language", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, perLanguage.Count);
        foreach (var chart in perLanguage)
        {
            var texts = chart.Descendants("text").Select(t => t.Value).ToHashSet();
            Assert.All(RunDirectory.Languages(20), l => Assert.Contains(l, texts));
        }
    }

    [Fact]
    public void DrawsTranslationPairsApartFromLanguages_When_BilingualDataReportsPairs()
    {
        _a.WriteSteps(0, 50, ["en", "de", "de-en"]);

        var charts = Charts(Render(_a));

        string[] Legend(string title) => charts.Single(c => c.Elements("text").First().Value == title)
            .Descendants("text").Select(t => t.Value).Where(t => t is "en" or "de" or "de-en").ToArray();
        Assert.Equal(["en", "de"], Legend("Training loss per language (smoothed)"));
        Assert.Equal(["de-en"], Legend("Training loss per translation pair (smoothed)"));
    }

    [Fact]
    public void MarksTheStageBoundaryAndSkippedStep_When_SharesChangeAndGuardSkipped()
    {
        // RunDirectory switches to the final stage after step 240 and skips step 78
        _a.WriteSteps(0, 300, ["en", "de"]);

        var charts = Charts(Render(_a));

        var mix = charts.Single(c => c.Elements("text").First().Value.StartsWith("Data mix", StringComparison.Ordinal));
        Assert.Single(mix.Descendants("title"), t => t.Value == "curriculum: next stage starts after step 240");
        var loss = charts[0];
        Assert.Single(loss.Descendants("title"), t => t.Value.StartsWith("step 78 skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void OverlaysBothRunsWithNamedDashPatterns_When_TwoRunsCompared()
    {
        _a.WriteSteps(0, 100, ["en", "de"]);
        _b.WriteSteps(0, 60, ["en", "de"], lossScale: 1.2);

        var html = Render(_a, _b);
        var loss = Charts(html)[0];

        var a = Path.GetFileName(_a.Path);
        var b = Path.GetFileName(_b.Path);
        Assert.Contains($"Run comparison: {a} vs {b}", html);
        var legend = loss.Descendants("text").Select(t => t.Value).ToList();
        Assert.Contains(a, legend);
        Assert.Contains(b, legend);
        var perLanguage = Charts(html)[1].Descendants("text").Select(t => t.Value).ToList();
        Assert.Contains("run " + a, perLanguage);
        Assert.Contains("run " + b, perLanguage);
        // Two languages per run: run a's curves solid, run b's in the second dash pattern
        var dashes = Charts(html)[1].Descendants("path").Select(p => p.Attribute("stroke-dasharray")?.Value).ToList();
        Assert.Equal([null, null, "7 3", "7 3"], dashes);
    }

    [Fact]
    public void ShowsWhatIsThereWithANote_When_MetricsEndInATornLine()
    {
        _a.WriteSteps(0, 30, ["en"]);
        File.AppendAllText(_a.MetricsPath, "{\"kind\":\"tra");

        var html = Render(_a);

        Assert.Contains("Note: the last line of metrics.jsonl is incomplete", html);
        Assert.Contains("30 steps", html);
        Assert.NotEmpty(Charts(html)[0].Descendants("path"));
    }

    [GeneratedRegex("<svg .*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();
}
