using PolyGlot.Common.Configuration;
using YamlDotNet.Serialization;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// The <c>optimizer:</c> section: AdamW with decoupled weight decay (biases, norms and embeddings
/// excluded from decay) and global-norm gradient clipping.
/// </summary>
public sealed class OptimizerConfig : IValidatedConfig
{
    /// <summary>Peak learning rate (PolyLM: 6e-5 for 13B).</summary>
    public double Lr { get; set; } = 3e-4;

    /// <summary>Adam's (beta1, beta2) (PolyLM: 0.9, 0.95).</summary>
    public List<double> Betas { get; set; } = [0.9, 0.95];

    /// <summary>Adam's epsilon (PolyLM: 1e-8).</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>Decoupled weight decay (PolyLM: 1e-4).</summary>
    public double WeightDecay { get; set; } = 0.1;

    /// <summary>Largest global gradient norm; larger gradients are scaled down (0 disables; PolyLM: 1.0).</summary>
    public double GradClip { get; set; } = 1.0;

    /// <summary>beta1.</summary>
    [YamlIgnore]
    public double Beta1 => Betas.Count > 0 ? Betas[0] : double.NaN;

    /// <summary>beta2.</summary>
    [YamlIgnore]
    public double Beta2 => Betas.Count > 1 ? Betas[1] : double.NaN;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.Require(Lr > 0 && Lr < 1, ConfigPath.Join(path, "lr"), Lr, "must be greater than 0 and less than 1");
        var betasKey = ConfigPath.Join(path, "betas");
        if (Betas.Count != 2)
            errors.Add(betasKey, string.Join(", ", Betas), "must hold two numbers: [beta1, beta2], e.g. [0.9, 0.95]");
        for (var i = 0; i < Betas.Count; i++)
            errors.Require(Betas[i] >= 0 && Betas[i] < 1, ConfigPath.Index(betasKey, i), Betas[i],
                "must be at least 0 and less than 1");
        errors.RequirePositive(Eps, ConfigPath.Join(path, "eps"));
        errors.RequireNonNegative(WeightDecay, ConfigPath.Join(path, "weight_decay"));
        errors.RequireNonNegative(GradClip, ConfigPath.Join(path, "grad_clip"));
    }
}
