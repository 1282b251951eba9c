using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>
/// LayerNorm with gain and shift (<c>polylm</c>) or RMSNorm with gain only (<c>llama</c>), over
/// the last dimension, computed in float32 (the residual stream's dtype).
/// </summary>
internal sealed class Norm
{
    private readonly Tensor _weight;
    private readonly Tensor? _bias;
    private readonly double _eps;

    private Norm(ParameterTable table, string name, long dim, bool shift, double eps)
    {
        _weight = table.Constant($"{name}.weight", ParameterKind.Norm, 1, dim);
        _bias = shift ? table.Constant($"{name}.bias", ParameterKind.Norm, 0, dim) : null;
        _eps = eps;
    }

    /// <summary>LayerNorm: (x - mean) / sqrt(var + eps) · w + b (biased variance, PyTorch's LayerNorm).</summary>
    public static Norm Layer(ParameterTable table, string name, long dim, double eps) => new(table, name, dim, shift: true, eps);

    /// <summary>RMSNorm: x / sqrt(mean(x²) + eps) · w (Zhang and Sennrich 2019, as Llama).</summary>
    public static Norm Rms(ParameterTable table, string name, long dim, double eps) => new(table, name, dim, shift: false, eps);

    public Tensor Forward(Tensor x) =>
        _bias is null ? Functional.RmsNorm(x, _weight, _eps) : Functional.LayerNorm(x, _weight, _bias, _eps);
}
