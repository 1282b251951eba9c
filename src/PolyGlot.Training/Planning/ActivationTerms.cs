namespace PolyGlot.Training.Planning;

/// <summary>The terms of <see cref="ActivationMemory"/>, in bytes, one method per part of the forward.</summary>
internal sealed class ActivationTerms(ActivationShape s)
{
    private readonly long _a = s.ComputeBytes;
    private readonly long _u = s.U;
    private readonly long _positions = s.MicroBatch * s.SeqLen;
    private readonly bool _llama = s.Model.IsLlama;
    private readonly bool _grouped = s.Model.KvHeads != s.Model.NHeads;
    private readonly long _kv = s.MicroBatch * s.SeqLen * s.Model.KvHeads * s.Model.HeadDim;

    /// <summary>One block's tensors that live until backward.</summary>
    public long Block() =>
        2 * Norm() + 2 * 4 * _u + (s.Reduced ? 2 * _a * _u + 2 * 4 * _u : 0)
        + Attention() + Mlp() + WeightCasts() + BlockDropout();

    /// <summary>The embedding stage: the looked-up rows and, for learned positions, their sum (and dropout).</summary>
    public long Embedding()
    {
        var positions = _llama ? 0 : 4 * _u + (s.DocumentMask ? 4 * _u : 0);
        var dropout = s.Model.Dropout > 0 ? 4 * _u + s.MaskBytes * _u : 0;
        return 4 * _u + positions + dropout;
    }

    /// <summary>Everything outside the blocks: embedding stage, final norm and its cast, document mask, rotary rows, the head's cast.</summary>
    public long Outside()
    {
        var finalNorm = Norm() + (s.Reduced ? _a * _u : 0);
        // The mask: two (B, T, T) booleans and their negation, the causal (T, T), and the additive mask built in two steps.
        long T = s.SeqLen, rows = s.MicroBatch * T * T;
        var mask = s.DocumentMask ? 3 * rows + T * T + 2 * _a * rows : 0;
        var rotaryRows = s.DocumentMask && _llama ? 2 * (4 + (s.Reduced ? _a : 0)) * _positions * s.Model.HeadDim : 0;
        var head = s.Reduced ? _a * s.Model.VocabSize * s.Model.DModel : 0;
        return Embedding() + finalNorm + mask + rotaryRows + head;
    }

    /// <summary>The largest set of one block's gradients alive at once in backward: attention's or the MLP's.</summary>
    public long WorkingSet()
    {
        var attention = s.Attention == AttentionKernel.Math
            ? 2 * _a * s.Scores + 3 * _a * _u
            : 4 * _a * _u + 4 * s.MicroBatch * s.Model.NHeads * s.SeqLen;
        var mlp = (_llama ? 3 : 2) * _a * s.F + 2 * _a * _u;
        return Math.Max(attention, mlp);
    }

    // LayerNorm: its float32 output, mean and rstd. RMSNorm (computed in float32 as Llama does): its output,
    // two float32 intermediates autograd keeps, and rstd.
    private long Norm() => _llama ? 3 * 4 * _u + 4 * _positions : 4 * _u + 2 * 4 * _positions;

    private long Attention()
    {
        var projections = _a * (_u + 2 * _kv);
        var rotary = _llama ? _a * (_u + _kv) : 0;
        var repeated = _grouped ? 2 * _a * _u : 0;
        var output = 3 * _a * _u;
        var kernel = s.Attention == AttentionKernel.Math
            ? _a * (_grouped ? _u : 3 * _u) + _a * s.Scores
            : 4 * s.MicroBatch * s.Model.NHeads * s.SeqLen;
        return projections + rotary + repeated + output + kernel;
    }

    private long Mlp() => (_llama ? 4 : 2) * _a * s.F + _a * _u;

    // bf16 casts of the block's weights and biases (not the norms'), made by every projection in forward.
    private long WeightCasts()
    {
        if (!s.Reduced)
            return 0;
        long C = s.Model.DModel, F = s.Model.FfnHiddenSize, kv = (long)s.Model.KvHeads * s.Model.HeadDim;
        var weights = _llama ? 2 * C * C + 2 * C * kv + 3 * C * F : 4 * C * C + 2 * C * F + 3 * C + C + F + C;
        return _a * weights;
    }

    private long BlockDropout()
    {
        if (s.Model.Dropout <= 0)
            return 0;
        var residual = 2 * (4 * _u + s.MaskBytes * _u);
        var attention = s.Attention == AttentionKernel.Math ? 2 * _a * s.Scores : 0;
        return residual + attention;
    }
}
