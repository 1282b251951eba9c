using System.Globalization;
using System.Xml.Linq;
using PolyGlot.Training.Reporting;

namespace PolyGlot.Training.Tests.Reporting;

public sealed class SvgChartTests
{
    private static SvgChart LanguageChart(int languages) => new()
    {
        Title = "Loss <per> language & more",
        XLabel = "step",
        YLabel = "loss (nats/token)",
        LogY = true,
        Series = RunDirectory.Languages(languages)
            .Select((l, i) => new ChartSeries(l, "#123456", Enumerable.Range(0, 50).Select(s => (s + 1.0, RunDirectory.Loss(s, i, 1))).ToList()))
            .ToList(),
        Markers = [new ChartMarker(25, "checkpoint", "#888", "3 3", "checkpoint step-000025")],
    };

    [Fact]
    public void IsWellFormedXmlWithEscapedText_When_TitleHasMarkup()
    {
        var svg = XElement.Parse(LanguageChart(3).Render());

        Assert.Equal("svg", svg.Name.LocalName);
        Assert.Contains(svg.Descendants("text"), t => t.Value == "Loss <per> language & more");
    }

    [Fact]
    public void NamesEveryLanguageAndMarkerKindInLegend_When_TwentyLanguagesDrawn()
    {
        var svg = XElement.Parse(LanguageChart(20).Render());

        var texts = svg.Descendants("text").Select(t => t.Value).ToList();
        foreach (var language in RunDirectory.Languages(20))
            Assert.Contains(language, texts);
        Assert.Contains("checkpoint", texts);
    }

    [Fact]
    public void KeepsLegendEntriesApartAndInsideTheChart_When_TwentyLanguagesDrawn()
    {
        // Given a long language name among 20, which widens every legend column
        var chart = LanguageChart(20);
        chart = new SvgChart
        {
            Title = chart.Title, XLabel = chart.XLabel, YLabel = chart.YLabel, LogY = true,
            Series = [.. chart.Series, new ChartSeries("zh-Hant-TW (traditional)", "#000", [(1, 3)])],
        };
        var svg = XElement.Parse(chart.Render());
        var width = double.Parse(svg.Attribute("width")!.Value, CultureInfo.InvariantCulture);
        var height = double.Parse(svg.Attribute("height")!.Value, CultureInfo.InvariantCulture);

        // Then legend labels (text below the plot, left-aligned) on one row are further apart than
        // their estimated width, and every label lies inside the SVG
        var legend = svg.Descendants("text").Where(t => t.Attribute("text-anchor") is null && t.Attribute("transform") is null)
            .Select(t => (Text: t.Value, X: Number(t, "x"), Y: Number(t, "y"))).Where(t => t.Y > 250).ToList();
        Assert.Equal(21, legend.Count);
        foreach (var row in legend.GroupBy(t => t.Y))
        {
            var ordered = row.OrderBy(t => t.X).ToList();
            for (var i = 1; i < ordered.Count; i++)
                Assert.True(ordered[i].X - ordered[i - 1].X >= ordered[i - 1].Text.Length * 6.6,
                    $"'{ordered[i - 1].Text}' at {ordered[i - 1].X} overlaps '{ordered[i].Text}' at {ordered[i].X}");
        }
        Assert.All(legend, t => Assert.True(t.X + t.Text.Length * 6.6 <= width && t.Y <= height, $"'{t.Text}' lies outside {width}x{height}"));
    }

    [Fact]
    public void SaysLogScaleAndUsesRoundTicks_When_LogY()
    {
        var svg = XElement.Parse(LanguageChart(2).Render());

        var rotated = svg.Descendants("text").Single(t => t.Attribute("transform") is not null);
        Assert.Equal("loss (nats/token), log scale", rotated.Value);
        var yTicks = svg.Descendants("text").Where(t => t.Attribute("text-anchor")?.Value == "end").Select(t => t.Value).ToList();
        Assert.InRange(yTicks.Count, 3, 7);
        Assert.All(yTicks, t => Assert.Matches("^[0-9]+(\\.[0-9])?$", t));
    }

    [Fact]
    public void SaysNoData_When_SeriesAreEmpty()
    {
        var chart = new SvgChart { Title = "t", XLabel = "x", YLabel = "y", Series = [new ChartSeries("en", "#000", [])] };

        var svg = XElement.Parse(chart.Render());

        Assert.Contains(svg.Descendants("text"), t => t.Value == "no data yet");
    }

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);
}
