using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Guards;

/// <summary>The guard's decision about one step.</summary>
public enum GuardVerdict
{
    /// <summary>Apply the update.</summary>
    Accept,

    /// <summary>The loss or the gradient norm is NaN or infinite: skip the update.</summary>
    NonFinite,

    /// <summary>The loss exceeds <c>spike_factor</c> times the mean of the recent accepted losses: skip the update.</summary>
    Spike,
}

/// <summary>
/// Protects the weights from a bad batch or a numerical blow-up: a step whose loss or gradient
/// norm is not finite, or whose loss spikes above <c>spike_factor</c> × the mean of the last
/// <c>spike_window</c> accepted losses (once that many exist), is skipped. Its state (window and
/// counters) is part of the checkpoint, so a resumed run decides exactly as the original would.
/// </summary>
public sealed class LossGuard
{
    private readonly GuardConfig _config;
    private readonly Queue<double> _window = new();

    /// <summary>Creates a guard with an empty window.</summary>
    public LossGuard(GuardConfig config) => _config = config;

    /// <summary>Steps skipped since the start of the run.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Steps skipped in a row up to now.</summary>
    public int ConsecutiveSkipped { get; private set; }

    /// <summary>True once <c>max_skipped_steps</c> steps in a row were skipped: the run must stop.</summary>
    public bool ShouldStop => ConsecutiveSkipped >= _config.MaxSkippedSteps;

    /// <summary>The accepted losses in the window, oldest first.</summary>
    public IReadOnlyList<double> Window => _window.ToList();

    /// <summary>
    /// The mean of the window (NaN while empty), summed afresh oldest first each time, so that a
    /// restored window gives bit for bit the mean of the original one.
    /// </summary>
    public double WindowMean => _window.Count == 0 ? double.NaN : _window.Sum() / _window.Count;

    /// <summary>Judges a step and records the outcome (an accepted loss joins the window).</summary>
    public GuardVerdict Judge(double loss, double gradNorm)
    {
        var verdict = !double.IsFinite(loss) || !double.IsFinite(gradNorm) ? GuardVerdict.NonFinite
            : IsSpike(loss) ? GuardVerdict.Spike
            : GuardVerdict.Accept;
        if (verdict == GuardVerdict.Accept)
        {
            ConsecutiveSkipped = 0;
            Push(loss);
        }
        else
        {
            SkippedSteps++;
            ConsecutiveSkipped++;
        }
        return verdict;
    }

    /// <summary>Restores the state saved with a checkpoint.</summary>
    public void Restore(IEnumerable<double> window, long skippedSteps, int consecutiveSkipped)
    {
        _window.Clear();
        foreach (var loss in window)
            Push(loss);
        SkippedSteps = skippedSteps;
        ConsecutiveSkipped = consecutiveSkipped;
    }

    private bool IsSpike(double loss) =>
        _config.SpikeFactor > 0 && _window.Count >= _config.SpikeWindow && loss > _config.SpikeFactor * WindowMean;

    private void Push(double loss)
    {
        _window.Enqueue(loss);
        while (_window.Count > _config.SpikeWindow)
            _window.Dequeue();
    }
}
