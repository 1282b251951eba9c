using PolyGlot.Common.Configuration;
using YamlDotNet.Serialization;
using PolyGlot.Training.Scheduling;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// The <c>schedule:</c> section: warm-up, decay shape and floor of the learning rate, and the
/// length of the run in steps or in tokens (exactly one of <c>total_steps</c>, <c>total_tokens</c>).
/// </summary>
public sealed class ScheduleConfig : IValidatedConfig
{
    /// <summary>Steps of linear warm-up (PolyLM 13B: 2,500).</summary>
    public long WarmupSteps { get; set; }

    /// <summary><c>cosine</c>, <c>linear</c> or <c>constant</c>.</summary>
    public string Decay { get; set; } = "cosine";

    /// <summary>The learning rate at the end of decay (PolyLM: 6e-6, a tenth of the peak).</summary>
    public double MinLr { get; set; }

    /// <summary>Optimizer steps in the run.</summary>
    public long? TotalSteps { get; set; }

    /// <summary>Tokens in the run; the step count is <c>ceil(total_tokens / tokens per step)</c>.</summary>
    public long? TotalTokens { get; set; }

    /// <summary>The decay shape as an enum value.</summary>
    [YamlIgnore]
    public DecayShape DecayShape => Decay switch
    {
        "linear" => DecayShape.Linear,
        "constant" => DecayShape.Constant,
        _ => DecayShape.Cosine,
    };

    /// <summary>Steps of the run for a global batch of <paramref name="tokensPerStep"/> tokens.</summary>
    public long Steps(long tokensPerStep) =>
        TotalSteps ?? (TotalTokens!.Value + tokensPerStep - 1) / tokensPerStep;

    /// <summary>The schedule for peak rate <paramref name="peakLr"/> and the run's step count.</summary>
    public LearningRateSchedule Build(double peakLr, long tokensPerStep) =>
        new(peakLr, MinLr, WarmupSteps, Steps(tokensPerStep), DecayShape);

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireNonNegative(WarmupSteps, ConfigPath.Join(path, "warmup_steps"));
        errors.RequireOneOf(Decay, ["cosine", "linear", "constant"], ConfigPath.Join(path, "decay"));
        errors.RequireNonNegative(MinLr, ConfigPath.Join(path, "min_lr"));
        if (TotalSteps is null == TotalTokens is null)
            errors.Add(ConfigPath.Join(path, "total_steps"), TotalSteps,
                "give exactly one of total_steps and total_tokens (the length of the run)");
        if (TotalSteps is { } steps)
            errors.RequirePositive(steps, ConfigPath.Join(path, "total_steps"));
        if (TotalTokens is { } tokens)
            errors.RequirePositive(tokens, ConfigPath.Join(path, "total_tokens"));
    }
}
