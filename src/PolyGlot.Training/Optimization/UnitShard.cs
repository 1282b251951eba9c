using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// One unit's parameters (a block, or everything outside the blocks) seen as one flat vector in
/// model order, padded with zeros to a multiple of the world size N and cut into N equal parts:
/// rank r owns elements [r·S, (r + 1)·S) with S = ceil(elements / N). The padding (at most N - 1
/// elements) is never updated and never written to a checkpoint. Holds this rank's part of the
/// mean gradient, accumulated over the micro-batches of a step.
/// </summary>
internal sealed class UnitShard : IDisposable
{
    private readonly long[] _offsets;

    /// <summary>Lays out <paramref name="parameters"/> over <paramref name="worldSize"/> ranks and takes <paramref name="rank"/>'s part.</summary>
    public UnitShard(int index, IReadOnlyList<ModelParameter> parameters, int rank, int worldSize)
    {
        (Index, Parameters, WorldSize) = (index, parameters, worldSize);
        _offsets = new long[parameters.Count + 1];
        for (var i = 0; i < parameters.Count; i++)
            _offsets[i + 1] = _offsets[i] + parameters[i].NumEl;
        ShardLength = (_offsets[^1] + worldSize - 1) / worldSize;
        Pieces = PiecesOf(rank);
        var first = parameters[0].Tensor;
        using (new NoGradScope())
            Gradient = Tensor.Zeros([ShardLength], first.DType, first.Device).Keep();
    }

    /// <summary>The unit's number in the model (0: outside the blocks; i + 1: block i).</summary>
    public int Index { get; }

    /// <summary>The unit's parameters in model order.</summary>
    public IReadOnlyList<ModelParameter> Parameters { get; }

    /// <summary>Ranks the unit is cut over.</summary>
    public int WorldSize { get; }

    /// <summary>Elements of each rank's part, S.</summary>
    public long ShardLength { get; }

    /// <summary>The parts of parameters that fall in this rank's range.</summary>
    public IReadOnlyList<ShardPiece> Pieces { get; }

    /// <summary>This rank's part of the mean gradient (S elements), summed over the step's micro-batches.</summary>
    public Tensor Gradient { get; }

    /// <summary>Where parameter <paramref name="i"/> starts in the flat vector.</summary>
    public long Offset(int i) => _offsets[i];

    /// <summary>
    /// The flat vector of N·S elements: each parameter's <paramref name="select"/> (zeros where it
    /// gives null) in model order, then the padding.
    /// </summary>
    public Tensor Flatten(Func<ModelParameter, Tensor?> select)
    {
        var parts = Parameters.Select(p => (select(p) ?? p.Tensor.ZerosLike()).Reshape([-1])).ToList();
        var padding = ShardLength * WorldSize - _offsets[^1];
        if (padding > 0)
            parts.Add(Tensor.Zeros([padding], Gradient.DType, Gradient.Device));
        return Tensor.Cat(parts);
    }

    /// <summary>
    /// Copies every parameter's elements out of <paramref name="whole"/>, a flat vector of N·S
    /// elements, through <paramref name="target"/> (the parameter itself, or an alias of it).
    /// </summary>
    public void Scatter(Tensor whole, Func<ModelParameter, Tensor> target)
    {
        for (var i = 0; i < Parameters.Count; i++)
            target(Parameters[i]).Flatten().CopyFrom(whole.Narrow(0, _offsets[i], _offsets[i + 1] - _offsets[i]));
    }

    /// <summary>This rank's S elements of the parameters' values (zero in the padding).</summary>
    public Tensor LocalValues()
    {
        var part = Tensor.Zeros([ShardLength], Gradient.DType, Gradient.Device);
        foreach (var piece in Pieces)
            part.Narrow(0, piece.ShardOffset, piece.Length).CopyFrom(piece.Parameter.Tensor.Detach().Flatten().Narrow(0, piece.Start, piece.Length));
        return part;
    }

    /// <summary>Frees the gradient part.</summary>
    public void Dispose() => Gradient.Dispose();

    /// <summary>The parts of parameters that fall in rank <paramref name="rank"/>'s range (every rank's layout is known to all).</summary>
    public ShardPiece[] PiecesOf(int rank)
    {
        var first = rank * ShardLength;
        var end = first + ShardLength;
        var pieces = new List<ShardPiece>();
        for (var i = 0; i < Parameters.Count; i++)
        {
            var start = Math.Max(first, _offsets[i]);
            var stop = Math.Min(end, _offsets[i + 1]);
            if (start < stop)
                pieces.Add(new ShardPiece(Parameters[i], start - _offsets[i], stop - start, start - first));
        }
        return [.. pieces];
    }
}

/// <summary>Elements [<paramref name="Start"/>, + <paramref name="Length"/>) of a flattened parameter, at <paramref name="ShardOffset"/> in a rank's part.</summary>
internal sealed record ShardPiece(ModelParameter Parameter, long Start, long Length, long ShardOffset);
