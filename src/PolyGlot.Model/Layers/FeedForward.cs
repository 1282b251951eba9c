using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>The feed-forward sub-layer of a block: (B, T, C) -> (B, T, C).</summary>
internal interface IFeedForward
{
    Tensor Forward(Tensor x, ComputePrecision precision);
}

/// <summary>GPT-2's MLP: fc_out(gelu(fc_in(x))), exact (erf) GELU, with biases.</summary>
internal sealed class GeluMlp(ParameterTable table, string name, long width, long hidden, double std, double residualStd) : IFeedForward
{
    private readonly Linear _in = new(table, $"{name}.fc_in", width, hidden, bias: true, std);
    private readonly Linear _out = new(table, $"{name}.fc_out", hidden, width, bias: true, residualStd);

    public Tensor Forward(Tensor x, ComputePrecision precision) => _out.Forward(_in.Forward(x, precision).Gelu(), precision);
}

/// <summary>SwiGLU (Shazeer 2020), as Llama: down(silu(gate(x)) · up(x)), no biases.</summary>
internal sealed class SwiGluMlp(ParameterTable table, string name, long width, long hidden, double std, double residualStd) : IFeedForward
{
    private readonly Linear _gate = new(table, $"{name}.gate", width, hidden, bias: false, std);
    private readonly Linear _up = new(table, $"{name}.up", width, hidden, bias: false, std);
    private readonly Linear _down = new(table, $"{name}.down", hidden, width, bias: false, residualStd);

    public Tensor Forward(Tensor x, ComputePrecision precision)
    {
        var gate = _gate.Forward(x, precision).Silu();  // (B, T, F)
        var up = _up.Forward(x, precision);              // (B, T, F)
        return _down.Forward(gate * up, precision);
    }
}
