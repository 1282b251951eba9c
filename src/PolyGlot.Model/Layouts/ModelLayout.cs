using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layouts;

/// <summary>
/// Everything in which the two layouts differ, in one place each (<see cref="PolyLmLayout"/>,
/// <see cref="LlamaLayout"/>): the norm, the feed-forward sub-layer, whether projections carry
/// biases, and how positions enter the model. The transformer itself is written once against this.
/// Factories are called in parameter order, so that a seed gives the same weights whatever the code path.
/// </summary>
internal abstract class ModelLayout
{
    /// <summary>The layout named by <c>model.layout</c>.</summary>
    public static ModelLayout Of(ModelConfig config) => config.IsLlama ? new LlamaLayout(config) : new PolyLmLayout(config);

    /// <summary>Whether the attention projections have biases.</summary>
    public abstract bool ProjectionBiases { get; }

    /// <summary>The norm called <paramref name="name"/> over the model width.</summary>
    public abstract Norm CreateNorm(ParameterTable table, string name);

    /// <summary>The feed-forward sub-layer called <paramref name="name"/>; <paramref name="residualStd"/> initialises its output projection.</summary>
    public abstract IFeedForward CreateFeedForward(ParameterTable table, string name, double std, double residualStd);

    /// <summary>The position encoding (created right after the token embedding).</summary>
    public abstract IPositionEncoding CreatePositions(ParameterTable table, double std, DType dtype, Device device);
}
