using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>
/// How a token's position enters the model: added to the embedding (learned positions) or
/// rotating queries and keys in attention (rotary). Positions are either the run
/// <c>offset .. offset + T - 1</c> of every row or, for packed documents, a (B, T) tensor of
/// positions within each document.
/// </summary>
internal interface IPositionEncoding : IDisposable
{
    /// <summary>The embedded tokens (B, T, C) with their positions added, or unchanged.</summary>
    Tensor AddTo(Tensor x, long offset, Tensor? documentPositions);

    /// <summary>Cos and sin for attention, (T, D) or (B, 1, T, D) in the compute dtype, or null.</summary>
    (Tensor Cos, Tensor Sin)? Rotary(long offset, long count, Tensor? documentPositions, ComputePrecision precision);
}

/// <summary>GPT-2's learned absolute position embeddings, <c>embed.positions.weight</c> (max_seq_len, C).</summary>
internal sealed class LearnedPositions(ParameterTable table, long maxSeqLen, long width, double std) : IPositionEncoding
{
    private readonly Tensor _weight = table.Normal("embed.positions.weight", ParameterKind.Embedding, std, maxSeqLen, width);

    public Tensor AddTo(Tensor x, long offset, Tensor? documentPositions) =>
        x + (documentPositions is null ? _weight.Narrow(0, offset, x.Size(1)) : Functional.Embedding(_weight, documentPositions));  // (T, C) or (B, T, C)

    public (Tensor Cos, Tensor Sin)? Rotary(long offset, long count, Tensor? documentPositions, ComputePrecision precision) => null;

    // The weight belongs to the parameter table.
    public void Dispose() { }
}

/// <summary>Rotary position embeddings (Su et al. 2021): precomputed cos and sin tables, (max_seq_len, D).</summary>
internal sealed class RotaryPositions : IPositionEncoding
{
    private readonly Tensor _cos, _sin;

    public RotaryPositions(long maxSeqLen, long headDim, double theta, DType dtype, Device device)
    {
        var (cos, sin) = Functional.RotaryTables(maxSeqLen, headDim, theta, dtype, device);
        (_cos, _sin) = (cos.Keep(), sin.Keep());  // (T_max, D)
    }

    public Tensor AddTo(Tensor x, long offset, Tensor? documentPositions) => x;

    public (Tensor Cos, Tensor Sin)? Rotary(long offset, long count, Tensor? documentPositions, ComputePrecision precision) =>
        documentPositions is null
            ? (precision.ToCompute(_cos.Narrow(0, offset, count)), precision.ToCompute(_sin.Narrow(0, offset, count)))  // (T, D)
            : (precision.ToCompute(Functional.Embedding(_cos, documentPositions).Unsqueeze(1)),
               precision.ToCompute(Functional.Embedding(_sin, documentPositions).Unsqueeze(1)));  // (B, 1, T, D)

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
