using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// The <c>precision:</c> section. Weights, gradients and optimizer state are always fp32 (the
/// master copy); <c>compute</c> picks the dtype of the forward and backward matmuls.
/// </summary>
public sealed class PrecisionConfig : IValidatedConfig
{
    /// <summary>fp32 everywhere.</summary>
    public const string Fp32 = "fp32";

    /// <summary>bf16 autocast on CUDA, fp32 master weights, softmax and residual stream (PolyLM).</summary>
    public const string Bf16 = "bf16";

    /// <summary><c>fp32</c> or <c>bf16</c> (CUDA only).</summary>
    public string Compute { get; set; } = Fp32;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path) =>
        errors.RequireOneOf(Compute, [Fp32, Bf16], ConfigPath.Join(path, "compute"));
}
