namespace PolyGlot.Training.Reporting;

/// <summary>One line (or row of dots) of a chart.</summary>
/// <param name="Name">Legend text, e.g. a language code.</param>
/// <param name="Color">CSS colour.</param>
/// <param name="Points">(step, value) pairs in step order; non-finite values leave a gap.</param>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points)
{
    /// <summary>Stroke width in pixels.</summary>
    public double Width { get; init; } = 1.6;

    /// <summary>SVG dash pattern (e.g. <c>6 3</c>), or null for a solid line.</summary>
    public string? Dash { get; init; }

    /// <summary>Stroke opacity (raw curves under smoothed ones are faint).</summary>
    public double Opacity { get; init; } = 1;

    /// <summary>Draw a dot at each point (for sparse series such as evaluations).</summary>
    public bool Dots { get; init; }

    /// <summary>Whether the legend lists this series (a series without points can stand for a group of curves, e.g. a run's dash pattern).</summary>
    public bool InLegend { get; init; } = true;
}

/// <summary>A vertical line across the plot at step <paramref name="X"/> (checkpoint, resume, stage boundary, skipped step).</summary>
/// <param name="X">The step.</param>
/// <param name="Kind">Legend text for all markers of this kind, e.g. "checkpoint".</param>
/// <param name="Color">CSS colour.</param>
/// <param name="Dash">SVG dash pattern or null.</param>
/// <param name="Title">Tooltip of this marker.</param>
public sealed record ChartMarker(double X, string Kind, string Color, string? Dash, string Title);
