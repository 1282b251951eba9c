namespace PolyGlot.Training.Metrics;

/// <summary>
/// Tokens per second and MFU over the last few steps (a sliding window smooths out the first
/// step's warm-up and evaluation pauses).
/// </summary>
public sealed class ThroughputMeter
{
    private readonly Queue<(long Tokens, double Seconds)> _window = new();
    private readonly int _capacity;
    private long _tokens;
    private double _seconds;

    /// <summary>A meter averaging the last <paramref name="windowSteps"/> steps.</summary>
    public ThroughputMeter(int windowSteps = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSteps, 1);
        _capacity = windowSteps;
    }

    /// <summary>Records a step of <paramref name="tokens"/> tokens that took <paramref name="seconds"/>.</summary>
    public void Record(long tokens, double seconds)
    {
        _window.Enqueue((tokens, seconds));
        _tokens += tokens;
        _seconds += seconds;
        if (_window.Count > _capacity)
        {
            var (oldTokens, oldSeconds) = _window.Dequeue();
            _tokens -= oldTokens;
            _seconds -= oldSeconds;
        }
    }

    /// <summary>Tokens per second over the window (0 before the first step).</summary>
    public double TokensPerSecond => _seconds > 0 ? _tokens / _seconds : 0;

    /// <summary>MFU for a model of <paramref name="flopsPerToken"/> on hardware of <paramref name="peakFlopsPerSecond"/>.</summary>
    public double Mfu(double flopsPerToken, double peakFlopsPerSecond) =>
        Model.Configuration.ModelSize.Mfu(TokensPerSecond, flopsPerToken, peakFlopsPerSecond);
}
