using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layouts;

/// <summary>
/// <c>llama</c>: RMSNorm with gain only, a SwiGLU MLP and attention projections without biases,
/// rotary positions applied to queries and keys.
/// </summary>
internal sealed class LlamaLayout(ModelConfig config) : ModelLayout
{
    public override bool ProjectionBiases => false;

    public override Norm CreateNorm(ParameterTable table, string name) => Norm.Rms(table, name, config.DModel, config.NormEps);

    public override IFeedForward CreateFeedForward(ParameterTable table, string name, double std, double residualStd) =>
        new SwiGluMlp(table, name, config.DModel, config.FfnHiddenSize, std, residualStd);

    public override IPositionEncoding CreatePositions(ParameterTable table, double std, DType dtype, Device device) =>
        new RotaryPositions(config.MaxSeqLen, config.HeadDim, config.RopeTheta, dtype, device);
}
