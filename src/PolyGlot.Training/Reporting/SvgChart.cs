using System.Globalization;
using System.Security;
using System.Text;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// A line chart as one self-contained inline SVG element: title, axes with round ticks and unit
/// labels, optional log y axis, vertical markers, and a legend laid out in as many rows as its
/// entries need (so 20 languages never overlap). No scripts, fonts or links: the chart shows in
/// any browser, offline, and in a mail attachment; a hover title names each marker.
/// </summary>
public sealed class SvgChart
{
    private const double Width = 660, Left = 64, Right = 16, Top = 30, PlotHeight = 220, AxisBand = 46, LegendRow = 17;
    private const double CharWidth = 6.6;   // average advance of the 11 px sans-serif legend text

    /// <summary>Heading drawn above the plot.</summary>
    public required string Title { get; init; }

    /// <summary>X axis label with its unit, e.g. "step (2,048 tokens each)".</summary>
    public required string XLabel { get; init; }

    /// <summary>Y axis label with its unit, e.g. "loss (nats/token)".</summary>
    public required string YLabel { get; init; }

    /// <summary>Logarithmic y axis (loss, gradient norm).</summary>
    public bool LogY { get; init; }

    /// <summary>Fixed y range (e.g. 0..1 for shares); null: from the data.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>The curves.</summary>
    public IReadOnlyList<ChartSeries> Series { get; init; } = [];

    /// <summary>Vertical markers; the legend names each kind once.</summary>
    public IReadOnlyList<ChartMarker> Markers { get; init; } = [];

    /// <summary>The SVG element.</summary>
    public string Render()
    {
        var drawable = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0)).ToList();
        var legend = LegendEntries();
        var plotWidth = Width - Left - Right;
        var columnWidth = legend.Count == 0 ? plotWidth : Math.Min(plotWidth, legend.Max(e => 24 + e.Label.Length * CharWidth) + 10);
        var columns = Math.Max(1, (int)(plotWidth / columnWidth));
        var rows = (legend.Count + columns - 1) / columns;
        var height = Top + PlotHeight + AxisBand + rows * LegendRow + 6;
        var svg = new StringBuilder(4096);
        svg.Append(C($"<svg class=\"chart\" width=\"{Width}\" height=\"{height:0}\" viewBox=\"0 0 {Width} {height:0}\" font-family=\"sans-serif\" font-size=\"11\">"));
        svg.Append(C($"<text x=\"{Left}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{Escape(Title)}</text>"));
        svg.Append(C($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{PlotHeight}\" fill=\"#fcfcfc\" stroke=\"#bbb\"/>"));
        if (drawable.Count == 0)
        {
            svg.Append(C($"<text x=\"{Left + plotWidth / 2}\" y=\"{Top + PlotHeight / 2}\" text-anchor=\"middle\" fill=\"#777\">no data yet</text></svg>"));
            return svg.ToString();
        }
        var xMax = Math.Max(drawable.Max(p => p.X), 1);
        var x = AxisScale.Create(0, xMax, false, Left, Left + plotWidth, 8);
        var (yMin, yMax) = YRange ?? (drawable.Min(p => p.Y), drawable.Max(p => p.Y));
        var y = LogY ? AxisScale.Create(yMin / 1.05, yMax * 1.05, true, Top + PlotHeight, Top, 7) : AxisScale.Create(yMin, yMax, false, Top + PlotHeight, Top, 6);
        DrawAxes(svg, x, y, plotWidth);
        foreach (var marker in Markers.Where(m => m.X >= 0 && m.X <= xMax))
            svg.Append(C($"<line x1=\"{x.Pixel(marker.X):0.#}\" x2=\"{x.Pixel(marker.X):0.#}\" y1=\"{Top}\" y2=\"{Top + PlotHeight}\" stroke=\"{marker.Color}\"{DashAttribute(marker.Dash)} stroke-width=\"1.2\"><title>{Escape(marker.Title)}</title></line>"));
        foreach (var series in Series)
            DrawSeries(svg, series, x, y);
        DrawLegend(svg, legend, columns, columnWidth, Top + PlotHeight + AxisBand);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private void DrawAxes(StringBuilder svg, AxisScale x, AxisScale y, double plotWidth)
    {
        foreach (var tick in x.Ticks)
        {
            var px = x.Pixel(tick);
            svg.Append(C($"<line x1=\"{px:0.#}\" x2=\"{px:0.#}\" y1=\"{Top}\" y2=\"{Top + PlotHeight + 4}\" stroke=\"#e4e4e4\"/>"));
            svg.Append(C($"<text x=\"{px:0.#}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{AxisScale.Format(tick)}</text>"));
        }
        foreach (var tick in y.Ticks)
        {
            var py = y.Pixel(tick);
            svg.Append(C($"<line x1=\"{Left - 4}\" x2=\"{Left + plotWidth}\" y1=\"{py:0.#}\" y2=\"{py:0.#}\" stroke=\"#e4e4e4\"/>"));
            svg.Append(C($"<text x=\"{Left - 6}\" y=\"{py + 4:0.#}\" text-anchor=\"end\">{AxisScale.Format(tick)}</text>"));
        }
        svg.Append(C($"<text x=\"{Left + plotWidth / 2}\" y=\"{Top + PlotHeight + 34}\" text-anchor=\"middle\" fill=\"#333\">{Escape(XLabel)}</text>"));
        var yLabel = LogY ? YLabel + ", log scale" : YLabel;
        svg.Append(C($"<text transform=\"translate(14 {Top + PlotHeight / 2}) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">{Escape(yLabel)}</text>"));
    }

    private static void DrawSeries(StringBuilder svg, ChartSeries series, AxisScale x, AxisScale y)
    {
        var path = new StringBuilder();
        var pen = 'M';
        foreach (var (px, py) in series.Points)
        {
            if (!double.IsFinite(px) || !y.CanDraw(py))
            {
                pen = 'M';
                continue;
            }
            path.Append(C($"{pen}{x.Pixel(px):0.#} {y.Pixel(py):0.#}"));
            pen = 'L';
        }
        if (path.Length > 0)
            svg.Append(C($"<path d=\"{path}\" fill=\"none\" stroke=\"{series.Color}\" stroke-width=\"{series.Width}\" stroke-opacity=\"{series.Opacity}\"{DashAttribute(series.Dash)} stroke-linejoin=\"round\"><title>{Escape(series.Name)}</title></path>"));
        if (series.Dots)
            foreach (var (px, py) in series.Points.Where(p => double.IsFinite(p.X) && y.CanDraw(p.Y)))
                svg.Append(C($"<circle cx=\"{x.Pixel(px):0.#}\" cy=\"{y.Pixel(py):0.#}\" r=\"2.6\" fill=\"{series.Color}\"><title>{Escape(series.Name)}: {AxisScale.Format(py)} at step {px:0}</title></circle>"));
    }

    private List<(string Label, string Color, string? Dash, bool Dot)> LegendEntries()
    {
        var entries = new List<(string Label, string Color, string? Dash, bool Dot)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in Series.Where(s => s.InLegend))
            if (seen.Add(s.Name))
                entries.Add((s.Name, s.Color, s.Dash, s.Dots));
        foreach (var m in Markers)
            if (seen.Add(m.Kind))
                entries.Add((m.Kind, m.Color, m.Dash, false));
        return entries;
    }

    private static void DrawLegend(StringBuilder svg, List<(string Label, string Color, string? Dash, bool Dot)> entries, int columns, double columnWidth, double top)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var (label, color, dash, dot) = entries[i];
            var ex = Left + i % columns * columnWidth;
            var ey = top + i / columns * LegendRow;
            svg.Append(C($"<line x1=\"{ex:0.#}\" x2=\"{ex + 18:0.#}\" y1=\"{ey - 4:0.#}\" y2=\"{ey - 4:0.#}\" stroke=\"{color}\" stroke-width=\"2.2\"{DashAttribute(dash)}/>"));
            if (dot)
                svg.Append(C($"<circle cx=\"{ex + 9:0.#}\" cy=\"{ey - 4:0.#}\" r=\"2.6\" fill=\"{color}\"/>"));
            svg.Append(C($"<text x=\"{ex + 23:0.#}\" y=\"{ey:0.#}\">{Escape(label)}</text>"));
        }
    }

    private static string DashAttribute(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string C(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
