using System.Diagnostics;

namespace PolyGlot.Evaluation.Reporting;

/// <summary>
/// A one-line progress bar with requests done, rate and estimated time left, redrawn on standard
/// error at most every 200 ms, and only when standard error is a terminal (so logs stay clean).
/// </summary>
public sealed class ProgressBar(string label)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private long _lastDraw = -1000;

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> requests.</summary>
    public void Report(int done, int total)
    {
        var now = _clock.ElapsedMilliseconds;
        if (!_enabled || (now - _lastDraw < 200 && done < total))
            return;
        _lastDraw = now;
        var fraction = total == 0 ? 1 : (double)done / total;
        var bar = new string('#', (int)(fraction * 30)).PadRight(30, '.');
        var rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        var eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        Console.Error.Write($"\r{label,-28} [{bar}] {done}/{total} {rate:F1}/s ETA {eta:hh\\:mm\\:ss}");
        if (done >= total)
            Console.Error.WriteLine();
    }
}
