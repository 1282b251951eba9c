using PolyGlot.Model.Configuration;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>
/// The feed-forward sub-layer: GELU MLP (<c>polylm</c>: fc_out(gelu(fc_in(x))), exact erf GELU,
/// with biases) or SwiGLU (<c>llama</c>: down(silu(gate(x)) · up(x)), Shazeer 2020, no biases).
/// </summary>
internal sealed class Mlp
{
    private readonly Linear? _in, _out, _gate, _up, _down;

    public Mlp(ParameterTable table, string name, ModelConfig config, double std, double residualStd)
    {
        long d = config.DModel, f = config.FfnHiddenSize;
        if (config.IsLlama)
        {
            _gate = new Linear(table, $"{name}.gate", d, f, bias: false, std);
            _up = new Linear(table, $"{name}.up", d, f, bias: false, std);
            _down = new Linear(table, $"{name}.down", f, d, bias: false, residualStd);
        }
        else
        {
            _in = new Linear(table, $"{name}.fc_in", d, f, bias: true, std);
            _out = new Linear(table, $"{name}.fc_out", f, d, bias: true, residualStd);
        }
    }

    /// <summary>(B, T, C) -> (B, T, C).</summary>
    public Tensor Forward(Tensor x, ComputePrecision precision)
    {
        if (_in is not null)
            return _out!.Forward(_in.Forward(x, precision).Gelu(), precision);
        var gate = _gate!.Forward(x, precision).Silu();   // (B, T, F)
        var up = _up!.Forward(x, precision);               // (B, T, F)
        return _down!.Forward(gate * up, precision);
    }
}
