using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>y = x Wᵀ + b with W of shape (out, in), run in the compute precision.</summary>
internal sealed class Linear
{
    private readonly Tensor _weight;
    private readonly Tensor? _bias;

    /// <summary>Creates <c>{name}.weight</c> ~ N(0, std²) and, when <paramref name="bias"/>, <c>{name}.bias</c> = 0.</summary>
    public Linear(ParameterTable table, string name, long inputs, long outputs, bool bias, double std)
    {
        _weight = table.Normal($"{name}.weight", ParameterKind.Matrix, std, outputs, inputs);
        _bias = bias ? table.Constant($"{name}.bias", ParameterKind.Bias, 0, outputs) : null;
    }

    public Tensor Forward(Tensor x, ComputePrecision precision) =>
        Functional.Linear(x, precision.ToCompute(_weight), _bias is null ? null : precision.ToCompute(_bias));
}
