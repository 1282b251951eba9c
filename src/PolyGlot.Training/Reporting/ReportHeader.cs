using System.Globalization;
using System.Net;
using System.Text;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// The HTML summary of one run above the charts: progress and state, the configuration in a
/// few lines, parameters, tokens per language, wall time, and the reader's notes.
/// </summary>
internal static class ReportHeader
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Append(StringBuilder html, RunHistory run, int index, bool compare)
    {
        var swatch = compare ? $"<span class=\"swatch\" style=\"border-color:{Palette.Color(index)}\"></span>" : "";
        html.Append(C, $"<section class=\"run\"><h2>{swatch}{E(run.Name)} <small>{E(run.Directory)}</small></h2>");
        foreach (var note in run.Notes)
            html.Append(C, $"<p class=\"note\">Note: {E(note)}</p>");
        html.Append("<table class=\"facts\">");
        Row(html, "progress", Progress(run));
        if (run.Config is { } c)
        {
            var m = c.Model;
            Row(html, "model", string.Create(C, $"{m.Layout}, d_model {m.DModel}, {m.NLayers} layers, {m.NHeads} heads, vocabulary {m.VocabSize:N0}, context {m.MaxSeqLen:N0}"));
            Row(html, "batch", string.Create(C, $"{c.Data.GlobalBatchSize} x {c.Data.SeqLen} = {(long)c.Data.GlobalBatchSize * c.Data.SeqLen:N0} tokens/step, micro-batch {c.Training.MicroBatchSize}"));
            Row(html, "optimizer", string.Create(C, $"AdamW lr {c.Optimizer.Lr:G3} ({c.Schedule.Decay} to {c.Schedule.MinLr:G3}, {c.Schedule.WarmupSteps:N0} warm-up steps), betas {string.Join("/", c.Optimizer.Betas)}, weight decay {c.Optimizer.WeightDecay:G3}, clip {c.Optimizer.GradClip:G3}"));
            Row(html, "curriculum", c.Data.Curriculum is { Preset: { } preset } ? "preset " + preset
                : c.Data.Curriculum is { Stages.Count: > 0 } cc ? $"{cc.Stages.Count} stages" : "none (fixed mix)");
            Row(html, "device", $"{c.Training.Device}, {c.Precision.Compute}");
        }
        if (run.Parameters is { } parameters)
            Row(html, "parameters", string.Create(C, $"{parameters:N0} ({parameters / 1e6:F2} M)"));
        var last = run.Steps.Count > 0 ? run.Steps[^1] : null;
        if (last is not null)
            Row(html, "tokens", string.Create(C, $"{last.TokensConsumed:N0} consumed"));
        Row(html, "time", Time(run));
        var skipped = run.Steps.Count(s => s.Skipped);
        var resumes = run.Markers.Count(m => m.Kind == MarkerKind.Resume);
        var checkpoints = run.Markers.Count(m => m.Kind == MarkerKind.Checkpoint);
        Row(html, "events", string.Create(C, $"{skipped} skipped step(s), {checkpoints} checkpoint(s), {resumes} resume(s)"));
        if (run.Evals.Count > 0 && run.Evals[^1] is { } eval)
            Row(html, "last evaluation", string.Create(C, $"after step {eval.Step}: held-out loss {eval.Loss:F3}"));
        html.Append("</table>");
        if (last is { TokensPerLanguage.Count: > 0 })
            AppendTokens(html, last, run.Evals.Count > 0 ? run.Evals[^1] : null);
        html.Append("</section>");
    }

    private static string Progress(RunHistory run)
    {
        var total = run.TotalSteps is { } t ? string.Create(C, $" of {t:N0}") : "";
        var end = run.Markers.LastOrDefault(m => m.Kind is MarkerKind.End or MarkerKind.Start or MarkerKind.Resume);
        var state = end switch
        {
            { Kind: MarkerKind.End } => end.Detail,
            null when run.Markers.Count == 0 => "no events recorded",
            _ => "no end recorded: still training, or stopped without a clean exit",
        };
        return string.Create(C, $"{run.StepsTrained:N0}{total} steps; {state}");
    }

    private static string Time(RunHistory run)
    {
        var steps = TimeSpan.FromSeconds(run.StepSeconds);
        return run.WallTime is { } wall
            ? $"{Duration(wall)} wall time (from each start to its last event), {Duration(steps)} in training steps"
            : $"{Duration(steps)} in training steps (no timed events for wall time)";
    }

    private static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(C, $"{(int)t.TotalHours} h {t.Minutes:D2} min")
        : string.Create(C, $"{t.Minutes} min {t.Seconds:D2} s");

    // Tokens per language, most tokens first, with the last held-out scores: two tables side by
    // side (or more, of 20 rows each), so that 20 languages and their pairs do not make a column.
    private static void AppendTokens(StringBuilder html, TrainPoint last, EvalPoint? eval)
    {
        var total = Math.Max(1, last.TokensPerLanguage.Values.Sum());
        var rows = last.TokensPerLanguage.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        foreach (var chunk in rows.Chunk(Math.Clamp((rows.Count + 1) / 2, 10, 20)))
        {
            html.Append("<table class=\"languages\"><tr><th>language</th><th>tokens</th><th>share</th>");
            if (eval is not null)
                html.Append("<th>eval loss</th><th>bits/byte</th>");
            html.Append("</tr>");
            foreach (var (language, tokens) in chunk)
            {
                html.Append(C, $"<tr><td>{E(language)}</td><td>{tokens:N0}</td><td>{tokens * 100.0 / total:F1}%</td>");
                if (eval is not null)
                    html.Append(C, $"<td>{Score(eval.LossPerLanguage, language)}</td><td>{Score(eval.BitsPerByte, language)}</td>");
                html.Append("</tr>");
            }
            html.Append("</table>");
        }
    }

    private static string Score(IReadOnlyDictionary<string, double> values, string language) =>
        values.TryGetValue(language, out var v) ? v.ToString("F3", C) : "";

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append(C, $"<tr><th>{E(name)}</th><td>{E(value)}</td></tr>");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
