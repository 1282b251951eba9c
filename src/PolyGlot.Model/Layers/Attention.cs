using PolyGlot.Model.Configuration;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>
/// Causal multi-head self-attention with separate q, k, v and output projections. With fewer
/// key/value heads than query heads (grouped-query attention, Ainslie et al. 2023) each key/value
/// head serves H / KV consecutive query heads. Rotary positions, when given, rotate q and k.
/// </summary>
internal sealed class Attention
{
    private readonly Linear _wq, _wk, _wv, _wo;
    private readonly int _heads, _kvHeads, _headDim;
    private readonly double _dropout;

    public Attention(ParameterTable table, string name, ModelConfig config, bool bias, double std, double residualStd)
    {
        long d = config.DModel, kv = (long)config.KvHeads * config.HeadDim;
        _wq = new Linear(table, $"{name}.wq", d, d, bias, std);
        _wk = new Linear(table, $"{name}.wk", d, kv, bias, std);
        _wv = new Linear(table, $"{name}.wv", d, kv, bias, std);
        _wo = new Linear(table, $"{name}.wo", d, d, bias, residualStd);
        (_heads, _kvHeads, _headDim, _dropout) = (config.NHeads, config.KvHeads, config.HeadDim, config.Dropout);
    }

    /// <summary>
    /// (B, T, C) -> (B, T, C); <paramref name="rotary"/> holds cos and sin of shape (T, D) or
    /// (B, 1, T, D), or null; <paramref name="mask"/> an additive (B, 1, T, T) mask that replaces
    /// the causal one (documents packed in a row), or null. With <paramref name="cache"/> the new
    /// positions' keys and values are appended to it and the queries attend to all cached ones.
    /// </summary>
    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin)? rotary, Tensor? mask, ComputePrecision precision, bool training,
        LayerCache? cache = null)
    {
        long B = x.Size(0), T = x.Size(1), C = x.Size(2), H = _heads, KV = _kvHeads, D = _headDim;
        var q = _wq.Forward(x, precision).View(B, T, H, D).Transpose(1, 2);   // (B, H, T, D)
        var k = _wk.Forward(x, precision).View(B, T, KV, D).Transpose(1, 2);  // (B, KV, T, D)
        var v = _wv.Forward(x, precision).View(B, T, KV, D).Transpose(1, 2);  // (B, KV, T, D)
        if (rotary is var (cos, sin))
        {
            q = Functional.ApplyRotary(q, cos, sin);
            k = Functional.ApplyRotary(k, cos, sin);
        }
        var causal = mask is null;
        if (cache is not null)
        {
            // A prompt fills an empty cache causally; after that one position at a time attends to all.
            causal = cache.Keys is null;
            if (!causal && T != 1)
                throw new ArgumentException("a filled key/value cache takes one new position per call", nameof(x));
            cache.Append(k, v);
            (k, v) = (cache.Keys!, cache.Values!);  // (B, KV, cached + T, D)
        }
        if (KV != H)
        {
            k = k.RepeatInterleave(H / KV, 1);  // (B, H, T, D)
            v = v.RepeatInterleave(H / KV, 1);  // (B, H, T, D)
        }
        var y = Functional.ScaledDotProductAttention(q, k, v, mask, training ? _dropout : 0, isCausal: causal);  // (B, H, T, D)
        y = y.Transpose(1, 2).Contiguous().View(B, T, C);  // (B, T, C)
        return _wo.Forward(y, precision);
    }
}
