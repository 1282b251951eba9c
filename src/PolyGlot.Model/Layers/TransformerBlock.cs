using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layouts;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>
/// One pre-norm block: x + attn(norm(x)), then x + mlp(norm(x)). The residual stream x stays in
/// float32; the sub-layers run in the compute precision.
/// </summary>
internal sealed class TransformerBlock
{
    private readonly Norm _attnNorm, _mlpNorm;
    private readonly Attention _attn;
    private readonly IFeedForward _mlp;
    private readonly double _dropout;

    public TransformerBlock(ParameterTable table, int index, ModelConfig config, ModelLayout layout, double std, double residualStd)
    {
        var name = $"layers.{index}";
        _attnNorm = layout.CreateNorm(table, $"{name}.attn_norm");
        _attn = new Attention(table, $"{name}.attn", config, layout.ProjectionBiases, std, residualStd);
        _mlpNorm = layout.CreateNorm(table, $"{name}.mlp_norm");
        _mlp = layout.CreateFeedForward(table, $"{name}.mlp", std, residualStd);
        _dropout = config.Dropout;
    }

    /// <summary>(B, T, C) -> (B, T, C); <paramref name="mask"/>: see <see cref="Attention.Forward"/>.</summary>
    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin)? rotary, Tensor? mask, ComputePrecision precision, bool training,
        LayerCache? cache = null)
    {
        var attended = _attn.Forward(precision.ToCompute(_attnNorm.Forward(x)), rotary, mask, precision, training, cache);
        x = x + Residual(attended, precision, training);
        var transformed = _mlp.Forward(precision.ToCompute(_mlpNorm.Forward(x)), precision);
        return x + Residual(transformed, precision, training);
    }

    private Tensor Residual(Tensor output, ComputePrecision precision, bool training)
    {
        var y = precision.ToFloat32(output);
        return training && _dropout > 0 ? Functional.Dropout(y, _dropout, training) : y;
    }
}
