using System.Globalization;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// Maps data values to pixels along one axis, linear or logarithmic, and picks few enough
/// round tick values (1, 2, 5 x 10^k) that their labels never overlap.
/// </summary>
public sealed class AxisScale
{
    private readonly double _lo, _hi, _pixelsFrom, _pixelsTo;

    private AxisScale(double lo, double hi, bool log, double pixelsFrom, double pixelsTo, IReadOnlyList<double> ticks)
    {
        (_lo, _hi, Log, _pixelsFrom, _pixelsTo, Ticks) = (lo, hi, log, pixelsFrom, pixelsTo, ticks);
    }

    /// <summary>True for a logarithmic axis.</summary>
    public bool Log { get; }

    /// <summary>Tick values inside the axis range.</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>
    /// An axis over [<paramref name="min"/>, <paramref name="max"/>] drawn from pixel
    /// <paramref name="pixelsFrom"/> to <paramref name="pixelsTo"/> with at most <paramref name="maxTicks"/> ticks.
    /// A linear range is widened to round ticks at both ends; a log range needs min &gt; 0.
    /// </summary>
    public static AxisScale Create(double min, double max, bool log, double pixelsFrom, double pixelsTo, int maxTicks)
    {
        // A flat curve (a constant learning rate, averaged into buckets that differ in the last bit)
        // gets a range around its value: ticks 1e-16 apart would never end.
        if (!(max - min > Math.Max(Math.Abs(min), Math.Abs(max)) * 1e-9))
        {
            var half = min == 0 ? 0.5 : Math.Abs(min) * 0.1;
            (min, max) = log ? (min / 1.5, max * 1.5) : (min - half, max + half);
        }
        if (log)
        {
            var ticks = LogTicks(min, max, maxTicks);
            return new AxisScale(min, max, true, pixelsFrom, pixelsTo, ticks);
        }
        // maxTicks - 2 intervals: rounding both ends outwards can add one tick at each end.
        var step = NiceStep((max - min) / Math.Max(1, maxTicks - 2));
        var lo = Math.Floor(min / step) * step;
        var hi = Math.Ceiling(max / step) * step;
        return new AxisScale(lo, hi, false, pixelsFrom, pixelsTo, Steps(lo, hi, step));
    }

    /// <summary>The pixel of <paramref name="value"/>.</summary>
    public double Pixel(double value)
    {
        var t = Log ? (Math.Log(value) - Math.Log(_lo)) / (Math.Log(_hi) - Math.Log(_lo)) : (value - _lo) / (_hi - _lo);
        return _pixelsFrom + t * (_pixelsTo - _pixelsFrom);
    }

    /// <summary>True when <paramref name="value"/> can be drawn (finite, and positive on a log axis).</summary>
    public bool CanDraw(double value) => double.IsFinite(value) && (!Log || value > 0);

    /// <summary>A short label: 3 significant digits, k/M/G for thousands, millions and billions, e-notation for small values.</summary>
    public static string Format(double v)
    {
        var c = CultureInfo.InvariantCulture;
        var a = Math.Abs(v);
        if (a == 0)
            return "0";
        if (a >= 1e9)
            return (v / 1e9).ToString("0.##", c) + "G";
        if (a >= 1e6)
            return (v / 1e6).ToString("0.##", c) + "M";
        if (a >= 1e4)
            return (v / 1e3).ToString("0.#", c) + "k";
        if (a < 0.01)
            return v.ToString("0.#e0", c);
        return v.ToString("0.###", c);
    }

    // The smallest of 1, 2, 5 x 10^k that is at least raw.
    private static double NiceStep(double raw)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var m in new[] { 1.0, 2, 5, 10 })
            if (m * magnitude >= raw * (1 - 1e-9))
                return m * magnitude;
        return 10 * magnitude;
    }

    // Within one decade a log axis gets linear round ticks; over many decades 1-2-5 per decade,
    // thinned to every n-th decade when even powers of ten are too many.
    private static List<double> LogTicks(double min, double max, int maxTicks)
    {
        var inside = (double v) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
        for (var perDecade = 3; perDecade >= 1; perDecade--)
        {
            var mantissas = perDecade switch { 3 => new[] { 1.0, 2, 5 }, 2 => [1.0, 3], _ => [1.0] };
            var ticks = new List<double>();
            for (var k = Math.Floor(Math.Log10(min)); k <= Math.Ceiling(Math.Log10(max)); k++)
                foreach (var m in mantissas)
                    if (inside(m * Math.Pow(10, k)))
                        ticks.Add(m * Math.Pow(10, k));
            if (ticks.Count >= 3 && ticks.Count <= maxTicks)
                return ticks;
            if (ticks.Count > maxTicks && perDecade == 1)
            {
                var every = (int)Math.Ceiling(ticks.Count / (double)maxTicks);
                return ticks.Where((_, i) => i % every == 0).ToList();
            }
        }
        var step = NiceStep((max - min) / Math.Max(1, maxTicks - 1));
        return Steps(Math.Ceiling(min / step) * step, max * (1 + 1e-9), step);
    }

    // Multiples of step from `from` up to `to`, counted rather than accumulated so that rounding
    // can neither skip the last tick nor loop.
    private static List<double> Steps(double from, double to, double step)
    {
        var count = (int)Math.Floor((to - from) / step + 1e-6);
        return Enumerable.Range(0, Math.Max(0, count) + 1).Select(i => Math.Round(from / step + i) * step).ToList();
    }
}
