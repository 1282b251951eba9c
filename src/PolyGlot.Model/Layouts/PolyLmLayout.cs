using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layouts;

/// <summary>
/// <c>polylm</c>, GPT-2's layout as PolyLM trained it: LayerNorm with gain and shift, a GELU MLP
/// with biases, biased attention projections, learned absolute position embeddings.
/// </summary>
internal sealed class PolyLmLayout(ModelConfig config) : ModelLayout
{
    public override bool ProjectionBiases => true;

    public override Norm CreateNorm(ParameterTable table, string name) => Norm.Layer(table, name, config.DModel, config.NormEps);

    public override IFeedForward CreateFeedForward(ParameterTable table, string name, double std, double residualStd) =>
        new GeluMlp(table, name, config.DModel, config.FfnHiddenSize, std, residualStd);

    public override IPositionEncoding CreatePositions(ParameterTable table, double std, DType dtype, Device device) =>
        new LearnedPositions(table, config.MaxSeqLen, config.DModel, std);
}
