namespace PolyGlot.Training.Reporting;

/// <summary>Smoothing and thinning of (step, value) curves before they are drawn.</summary>
public static class Series
{
    /// <summary>Points beyond which a curve is thinned: 800 is more than a 600-pixel-wide plot can show.</summary>
    public const int MaxPoints = 800;

    /// <summary>
    /// The smoothing span for a curve of <paramref name="count"/> steps: 1/30 of the run, at least
    /// 1 and at most 500 steps, so that a 300-step demo and a 150,000-step run look alike.
    /// </summary>
    public static int Span(int count) => Math.Clamp(count / 30, 1, 500);

    /// <summary>
    /// Exponential moving average with the weight of a <paramref name="span"/>-step mean
    /// (alpha = 2 / (span + 1), as pandas' <c>ewm(span=...)</c>), debiased at the start so the first
    /// points are not pulled towards 0; non-finite values are skipped and stay gaps.
    /// </summary>
    public static List<(double X, double Y)> Ema(IEnumerable<(double X, double Y)> points, int span)
    {
        var alpha = 2.0 / (span + 1);
        double average = 0, weight = 0;
        var result = new List<(double X, double Y)>();
        foreach (var (x, y) in points)
        {
            if (!double.IsFinite(y))
            {
                result.Add((x, double.NaN));
                continue;
            }
            average = (1 - alpha) * average + alpha * y;
            weight = (1 - alpha) * weight + alpha;
            result.Add((x, average / weight));
        }
        return result;
    }

    /// <summary>At most <paramref name="maxPoints"/> points: the mean x and y of consecutive equal-sized buckets (gaps kept as NaN buckets).</summary>
    public static IReadOnlyList<(double X, double Y)> Thin(IReadOnlyList<(double X, double Y)> points, int maxPoints = MaxPoints)
    {
        if (points.Count <= maxPoints)
            return points;
        var size = (int)Math.Ceiling(points.Count / (double)maxPoints);
        var result = new List<(double X, double Y)>(maxPoints);
        for (var start = 0; start < points.Count; start += size)
        {
            double sx = 0, sy = 0;
            var n = 0;
            var end = Math.Min(points.Count, start + size);
            for (var i = start; i < end; i++)
                if (double.IsFinite(points[i].Y))
                {
                    (sx, sy) = (sx + points[i].X, sy + points[i].Y);
                    n++;
                }
            result.Add(n == 0 ? (points[start].X, double.NaN) : (sx / n, sy / n));
        }
        return result;
    }
}
