namespace PolyGlot.Training.Reporting;

/// <summary>
/// The charts of a report, built from one run or several overlaid. Colours stand for languages
/// (or data groups, or runs where one curve per run is drawn); when runs are compared, each run
/// has its own dash pattern, named in the legend. Every step chart carries the checkpoint, resume
/// and skipped-step markers; the data mix chart marks the curriculum's stage boundaries.
/// </summary>
internal sealed class ReportCharts
{
    private readonly IReadOnlyList<RunHistory> _runs;
    private readonly IReadOnlyList<string> _languages;
    private readonly IReadOnlyList<string> _pairs;
    private readonly string _xLabel;

    /// <summary>Charts of <paramref name="runs"/>.</summary>
    public ReportCharts(IReadOnlyList<RunHistory> runs)
    {
        _runs = runs;
        var all = runs.SelectMany(r => r.Languages).Distinct(StringComparer.Ordinal).ToList();
        // Bilingual data reports its tokens under pair names such as "de-en"; drawn with the
        // languages they would make a chart of 30 curves, so pairs get charts of their own.
        _pairs = all.Where(l => l.Split('-') is [var a, var b] && all.Contains(a) && all.Contains(b)).ToList();
        _languages = all.Except(_pairs).ToList();
        var tokensPerStep = runs.Select(TokensPerStep).Distinct().ToList();
        _xLabel = tokensPerStep is [{ } t] ? $"step (optimizer steps of {t:N0} tokens)" : "step (optimizer steps)";
    }

    private bool Compare => _runs.Count > 1;

    /// <summary>The charts in page order, each with a one-line caption; charts without data for any run are left out.</summary>
    public IEnumerable<(string Caption, SvgChart Chart)> All()
    {
        yield return ("Mean loss of each step's batch: thin = every step, thick = smoothed.", Loss());
        yield return ("Smoothed training loss per language of the batch's tokens.", PerLanguage("Training loss per language (smoothed)", "loss (nats/token)",
            r => r.Steps.Select(s => (X(s.Step), s.LossPerLanguage)), smooth: true, log: true, dots: false));
        if (_pairs.Count > 0)
            yield return ("Smoothed training loss per translation pair of the bilingual data.", PerLanguage("Training loss per translation pair (smoothed)",
                "loss (nats/token)", r => r.Steps.Select(s => (X(s.Step), s.LossPerLanguage)), smooth: true, log: true, dots: false, _pairs));
        if (_runs.Any(r => r.Evals.Count > 0))
        {
            yield return ("Held-out loss per language at each evaluation.", PerLanguage("Held-out loss per language", "loss (nats/token)",
                r => r.Evals.Select(e => (X(e.Step), e.LossPerLanguage)), smooth: false, log: true, dots: true));
            yield return ("Bits per UTF-8 byte of held-out text (tokenizer-independent): summed loss / ln 2 / bytes.", PerLanguage(
                "Held-out bits per byte per language", "bits per byte", r => r.Evals.Select(e => (X(e.Step), e.BitsPerByte)), smooth: false, log: false, dots: true));
        }
        foreach (var run in _runs.Where(r => r.Groups.Count > 0))
            yield return ("Share of the batch's sequences per data group: dashed = scheduled by the curriculum, solid = realised (smoothed).", Mix(run));
        yield return ("Learning rate used for each update.", PerRun("Learning rate", "learning rate", s => s.Lr, log: false, raw: false));
        yield return ("Global gradient L2 norm before clipping: thin = every step, thick = smoothed.", PerRun("Gradient norm", "gradient norm (L2)", s => s.GradNorm, log: true, raw: true));
        yield return ("Training throughput over all ranks (sliding window of 20 steps).", PerRun("Throughput", "tokens/s", s => s.TokensPerSecond, log: false, raw: false));
        if (_runs.Any(r => r.Steps.Any(s => double.IsFinite(s.Mfu))))
            yield return ("Model FLOPs utilisation on the GPU (6N + 12·L·d·T FLOPs per token over the device's peak).", PerRun("MFU", "MFU (%)", s => s.Mfu * 100, log: false, raw: false));
    }

    // Step s is drawn at x = s: the number of steps done, the same axis as evaluations and
    // checkpoints "after step s".
    private static double X(long step) => step;

    private static long? TokensPerStep(RunHistory run) =>
        run.Config is { } c ? (long)c.Data.GlobalBatchSize * c.Data.SeqLen : null;

    private SvgChart Loss()
    {
        var series = new List<ChartSeries>();
        for (var i = 0; i < _runs.Count; i++)
        {
            var color = Compare ? Palette.Color(i) : Palette.Color(0);
            var points = _runs[i].Steps.Select(s => (X(s.Step), s.Loss)).ToList();
            series.Add(new ChartSeries(Label(i, "raw"), color, Series.Thin(points)) { Width = 0.8, Opacity = 0.35, InLegend = !Compare });
            series.Add(new ChartSeries(Label(i, "smoothed"), color, Series.Thin(Series.Ema(points, Series.Span(points.Count)))) { Width = 2.2 });
        }
        return new SvgChart { Title = "Training loss", XLabel = _xLabel, YLabel = "loss (nats/token)", LogY = true, Series = series, Markers = StepMarkers() };
    }

    private string Label(int run, string what) => Compare ? _runs[run].Name : what;

    private SvgChart PerLanguage(string title, string yLabel, Func<RunHistory, IEnumerable<(double X, IReadOnlyDictionary<string, double> Values)>> select,
        bool smooth, bool log, bool dots, IReadOnlyList<string>? names = null)
    {
        names ??= _languages;
        var series = new List<ChartSeries>();
        for (var r = 0; r < _runs.Count; r++)
        {
            var rows = select(_runs[r]).ToList();
            foreach (var (language, l) in names.Select((l, i) => (l, i)))
            {
                var points = rows.Where(row => row.Values.ContainsKey(language)).Select(row => (row.X, row.Values[language])).ToList();
                if (points.Count == 0)
                    continue;
                var drawn = smooth ? Series.Ema(points, Series.Span(rows.Count)) : points;
                series.Add(new ChartSeries(language, Palette.Color(l), Series.Thin(drawn)) { Dash = Palette.Dash(r), Dots = dots, InLegend = false, Width = 1.5 });
            }
        }
        // One legend entry per language (colour) and, when comparing, per run (dash pattern).
        var legend = names.Select((l, i) => new ChartSeries(l, Palette.Color(i), []) { Dots = dots })
            .Where(entry => series.Any(s => s.Name == entry.Name)).ToList();
        if (Compare)
            legend.AddRange(_runs.Select((run, r) => new ChartSeries("run " + run.Name, "#444", []) { Dash = Palette.Dash(r) }));
        return new SvgChart { Title = title, XLabel = _xLabel, YLabel = yLabel, LogY = log, Series = [.. series, .. legend], Markers = StepMarkers() };
    }

    private SvgChart PerRun(string title, string yLabel, Func<TrainPoint, double> value, bool log, bool raw)
    {
        var series = new List<ChartSeries>();
        for (var i = 0; i < _runs.Count; i++)
        {
            var color = Compare ? Palette.Color(i) : Palette.Color(0);
            var points = _runs[i].Steps.Select(s => (X(s.Step), value(s))).ToList();
            if (raw)
            {
                series.Add(new ChartSeries(Label(i, "raw"), color, Series.Thin(points)) { Width = 0.8, Opacity = 0.35, InLegend = !Compare });
                series.Add(new ChartSeries(Label(i, "smoothed"), color, Series.Thin(Series.Ema(points, Series.Span(points.Count)))) { Width = 2.2 });
            }
            else
            {
                series.Add(new ChartSeries(Compare ? _runs[i].Name : title.ToLowerInvariant(), color, Series.Thin(points)) { InLegend = Compare });
            }
        }
        return new SvgChart { Title = title, XLabel = _xLabel, YLabel = yLabel, LogY = log, Series = series, Markers = StepMarkers() };
    }

    private SvgChart Mix(RunHistory run)
    {
        var series = new List<ChartSeries>();
        var span = Series.Span(run.Mix.Count);
        foreach (var (group, g) in run.Groups.Select((group, g) => (group, g)))
        {
            var scheduled = run.Steps.Select(s => (X(s.Step), s.ScheduledShares.TryGetValue(group, out var v) ? v * 100 : double.NaN)).ToList();
            series.Add(new ChartSeries(group + " scheduled", Palette.Color(g), Series.Thin(scheduled)) { Dash = "6 3", Width = 1.6 });
            var realized = run.Mix.Select(m => (X(m.Step), m.Realized.TryGetValue(group, out var v) ? v * 100 : double.NaN)).ToList();
            if (realized.Count > 0)
                series.Add(new ChartSeries(group + " realised", Palette.Color(g), Series.Thin(Series.Ema(realized, span))) { Width = 2 });
        }
        var title = Compare ? $"Data mix: {run.Name}" : "Data mix: scheduled vs realised";
        var markers = StageBoundaries(run).Concat(StepMarkers(run, Compare ? run.Name : null)).ToList();
        return new SvgChart { Title = title, XLabel = _xLabel, YLabel = "share of sequences (%)", YRange = (0, 100), Series = series, Markers = markers };
    }

    private List<ChartMarker> StepMarkers() => _runs.SelectMany(r => StepMarkers(r, Compare ? r.Name : null)).ToList();

    private static IEnumerable<ChartMarker> StepMarkers(RunHistory run, string? runName)
    {
        var suffix = runName is null ? "" : $" ({runName})";
        foreach (var m in run.Markers)
        {
            switch (m.Kind)
            {
                case MarkerKind.Checkpoint:
                    yield return new ChartMarker(X(m.Step), "checkpoint" + suffix, Palette.Checkpoint, "3 3", $"{m.Detail} after step {m.Step}{suffix}");
                    break;
                case MarkerKind.Resume:
                    yield return new ChartMarker(X(m.Step), "resume" + suffix, Palette.Resume, null, $"{m.Detail} after step {m.Step}{suffix}");
                    break;
            }
        }
        foreach (var s in run.Steps.Where(s => s.Skipped))
            yield return new ChartMarker(X(s.Step), "skipped step" + suffix, Palette.Skipped, "1 2", $"step {s.Step} skipped by the loss guard{suffix}");
    }

    // The scheduled shares change where a stage starts: at once for a step change (one marker),
    // over a range for a linear ramp (marked where the ramp starts and where it ends).
    private static IEnumerable<ChartMarker> StageBoundaries(RunHistory run)
    {
        var steps = run.Steps;
        bool Changes(int i) => i > 0 && i < steps.Count &&
            run.Groups.Any(g => Math.Abs(steps[i].ScheduledShares.GetValueOrDefault(g) - steps[i - 1].ScheduledShares.GetValueOrDefault(g)) > 1e-9);
        for (var i = 1; i < steps.Count; i++)
        {
            if (!Changes(i) || Changes(i - 1))
                continue;
            var end = i;
            while (Changes(end + 1))
                end++;
            yield return Boundary(steps[i].Step - 1, end == i ? "next stage starts" : "ramp to the next stage starts");
            if (end > i)
                yield return Boundary(steps[end].Step, "ramp ends");
        }
    }

    private static ChartMarker Boundary(long x, string what) =>
        new(x, "curriculum stage boundary", Palette.Stage, "8 3 2 3", $"curriculum: {what} after step {x}");
}
