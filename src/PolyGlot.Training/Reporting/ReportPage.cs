using System.Globalization;
using System.Net;
using System.Text;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// Renders one or more runs as a single self-contained HTML page: a header per run, then inline
/// SVG charts with the runs overlaid. No scripts, style sheets, fonts or images are fetched, so
/// the file shows the same offline, from a mail attachment, or while the run goes on.
/// </summary>
public static class ReportPage
{
    private const string Style = """
        body{font-family:sans-serif;margin:16px 24px;color:#222;max-width:1400px}
        h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:8px 0} h2 small{font-weight:normal;color:#666;font-size:12px}
        .meta{color:#666;font-size:12px;margin-bottom:10px}
        .runs{display:flex;flex-wrap:wrap;gap:12px}
        .run{border:1px solid #ddd;border-radius:4px;padding:4px 12px 10px;flex:1 1 620px}
        table{border-collapse:collapse;font-size:12px;margin:4px 12px 4px 0;display:inline-table;vertical-align:top}
        th,td{text-align:left;padding:1px 8px 1px 0} .languages td,.languages th{text-align:right} .languages td:first-child,.languages th:first-child{text-align:left}
        .facts th{color:#555;font-weight:normal;white-space:nowrap}
        .note{background:#fff4ce;border:1px solid #e0c060;padding:4px 8px;font-size:12px;margin:4px 0}
        .charts{display:flex;flex-wrap:wrap;gap:8px 16px;margin-top:12px}
        figure{margin:0} figcaption{font-size:11px;color:#555;max-width:640px;margin:0 0 2px 64px}
        .swatch{display:inline-block;width:24px;border-top:3px solid;margin-right:6px;vertical-align:middle}
        """;

    /// <summary>The page for <paramref name="runs"/> (one, or several to compare), stamped with <paramref name="generatedAt"/>.</summary>
    public static string Render(IReadOnlyList<RunHistory> runs, DateTime generatedAt)
    {
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var title = runs.Count == 1 ? $"Run report: {runs[0].Name}" : "Run comparison: " + string.Join(" vs ", runs.Select(r => r.Name));
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append($"<title>{E(title)}</title><style>{Style}</style></head><body>");
        html.Append($"<h1>{E(title)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"meta\">Generated {generatedAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC by polyglot report; reload to see a running run's progress.</div>");
        html.Append("<div class=\"runs\">");
        for (var i = 0; i < runs.Count; i++)
            ReportHeader.Append(html, runs[i], i, runs.Count > 1);
        html.Append("</div><div class=\"charts\">");
        foreach (var (caption, chart) in new ReportCharts(runs).All())
            html.Append($"<figure><figcaption>{E(caption)}</figcaption>{chart.Render()}</figure>");
        html.Append("</div></body></html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
