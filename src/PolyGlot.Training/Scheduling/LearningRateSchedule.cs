namespace PolyGlot.Training.Scheduling;

/// <summary>How the learning rate falls after warm-up.</summary>
public enum DecayShape
{
    /// <summary>Half a cosine from the peak to the minimum (PolyLM, Megatron).</summary>
    Cosine,
    /// <summary>A straight line from the peak to the minimum.</summary>
    Linear,
    /// <summary>The peak until the end.</summary>
    Constant,
}

/// <summary>
/// The learning rate of every step, as a pure function of the step: linear warm-up to the peak,
/// then a decay to the minimum at <see cref="TotalSteps"/>, held there afterwards.
/// Warm-up gives step s (counting from 0) <c>peak·(s+1)/warmup</c>, so the first step already
/// learns and step <c>warmup-1</c> reaches the peak; decay step s has progress
/// <c>p = (s - warmup)/(total - warmup)</c> and the cosine gives
/// <c>min + (peak - min)·(1 + cos(π·p))/2</c>, PyTorch's CosineAnnealingLR in closed form.
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>Creates a schedule; see the class remarks for the formulas.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or step count out of range.</exception>
    public LearningRateSchedule(double peak, double min, long warmupSteps, long totalSteps, DecayShape decay)
    {
        if (!(peak > 0) || double.IsInfinity(peak))
            throw new ArgumentOutOfRangeException(nameof(peak), peak, "the peak learning rate must be positive and finite");
        if (!(min >= 0) || min > peak)
            throw new ArgumentOutOfRangeException(nameof(min), min, "the minimum learning rate must be between 0 and the peak");
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (totalSteps < warmupSteps || totalSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
                $"total steps must be at least 1 and at least the {warmupSteps} warm-up steps");
        (Peak, Min, WarmupSteps, TotalSteps, Decay) = (peak, min, warmupSteps, totalSteps, decay);
    }

    /// <summary>The rate at the end of warm-up.</summary>
    public double Peak { get; }

    /// <summary>The rate at the end of decay and after.</summary>
    public double Min { get; }

    /// <summary>Steps of linear warm-up.</summary>
    public long WarmupSteps { get; }

    /// <summary>The step at which decay reaches <see cref="Min"/>.</summary>
    public long TotalSteps { get; }

    /// <summary>The decay shape.</summary>
    public DecayShape Decay { get; }

    /// <summary>The learning rate of step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
            return Peak * (step + 1) / WarmupSteps;
        if (Decay == DecayShape.Constant)
            return Peak;
        var decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps == 0 || step >= TotalSteps)
            return Decay == DecayShape.Constant ? Peak : Min;
        var progress = (double)(step - WarmupSteps) / decaySteps;
        return Decay == DecayShape.Cosine
            ? Min + (Peak - Min) * (1 + Math.Cos(Math.PI * progress)) / 2
            : Peak + (Min - Peak) * progress;
    }
}
