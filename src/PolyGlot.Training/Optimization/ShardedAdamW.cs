using PolyGlot.Torch;
using PolyGlot.Torch.Optim;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// AdamW with its moments sharded over the data-parallel ranks (ZeRO stage 1, Rajbhandari et al.
/// 2020): all parameters are seen as one flat vector cut into <c>world size</c> equal parts; rank
/// r keeps the moments of part r only, so optimizer memory per rank falls as 1/N. A step
/// reduce-scatters the gradients (each rank receives the mean of its part), clips on the global
/// norm, updates its part in place and all-gathers the parameters. The update of each element is
/// the one <see cref="AdamW"/> makes, so results equal plain data parallelism up to the rounding of
/// the gradient norm.
/// </summary>
internal sealed class ShardedAdamW : IDisposable
{
    private readonly DataParallel _parallel;
    private readonly Tensor[] _parameters;
    private readonly long[] _offsets;
    private readonly long _shardLength;
    private readonly Piece[] _pieces;
    private readonly AdamW _adamw;
    private readonly Tensor _gradShard;
    private readonly List<Tensor> _gathered = [];

    /// <summary>Shards the state of <paramref name="groups"/> (in optimizer order) over the ranks of <paramref name="parallel"/>.</summary>
    public ShardedAdamW(IReadOnlyList<ParameterGroup> groups, DataParallel parallel, double lr, double beta1, double beta2, double eps)
    {
        _parallel = parallel;
        _parameters = groups.SelectMany(g => g.Parameters).ToArray();
        var decays = groups.SelectMany(g => g.Parameters.Select(_ => g.WeightDecay)).ToArray();
        _offsets = new long[_parameters.Length + 1];
        for (var i = 0; i < _parameters.Length; i++)
            _offsets[i + 1] = _offsets[i] + _parameters[i].NumEl;
        _shardLength = (_offsets[^1] + parallel.WorldSize - 1) / parallel.WorldSize;
        using (new NoGradScope())
        {
            _gradShard = Tensor.Zeros([_shardLength], _parameters[0].DType, _parameters[0].Device).Keep();
        }
        // Pieces in AdamW's order (grouped by weight decay), so that its k-th moment is piece k's.
        var byDecay = PiecesOfThisRank().GroupBy(p => decays[p.Parameter]).ToList();
        _pieces = byDecay.SelectMany(g => g).ToArray();
        _adamw = new AdamW(byDecay.Select(g => new ParameterGroup(g.Select(p => p.Values).ToList(), g.Key)).ToList(), lr, beta1, beta2, eps);
    }

    /// <summary>The learning rate of the next update.</summary>
    public double LearningRate
    {
        get => _adamw.LearningRate;
        set => _adamw.LearningRate = value;
    }

    /// <summary>Updates applied so far.</summary>
    public long StepCount
    {
        get => _adamw.StepCount;
        set => _adamw.StepCount = value;
    }

    /// <summary>Elements of optimizer state (both moments) this rank holds.</summary>
    public long StateElements => 2 * _pieces.Sum(p => p.Length);

    /// <summary>Sums the gradients over ranks, keeping this rank's part of their mean.</summary>
    public void ReduceScatterGradients()
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var parts = _parameters.Select(p => (p.Grad ?? p.ZerosLike()).Reshape([-1])).ToList();
        var padding = _shardLength * _parallel.WorldSize - _offsets[^1];
        if (padding > 0)
            parts.Add(Tensor.Zeros([padding], _gradShard.DType, _gradShard.Device));
        var flat = Tensor.Cat(parts);
        _parallel.Collective("gradient reduce-scatter", () => _parallel.Group.ReduceScatter(_gradShard, flat, 1.0 / _parallel.WorldSize));
    }

    /// <summary>
    /// The 2-norm of the whole mean gradient (from every rank's part), as a float64 0-dim tensor on
    /// the device; scales this rank's part so that the whole has norm at most
    /// <paramref name="maxNorm"/>, as clip_grad_norm_ does.
    /// </summary>
    public Tensor ClipGradients(double maxNorm)
    {
        using var noGrad = new NoGradScope();
        var squares = _gradShard.To(DType.Float64).Square().Sum().Reshape([1]);
        _parallel.SumInPlace(squares, "gradient norm");
        var norm = squares.Sqrt().Reshape([]);
        var coefficient = norm.Add(1e-6).Reciprocal().Mul(maxNorm).Clamp(max: 1.0);
        _gradShard.MulInPlace(coefficient.To(_gradShard.DType));
        return norm;
    }

    /// <summary>Updates this rank's part of the parameters, then gathers every rank's part into all parameters.</summary>
    public void Step()
    {
        using var scope = DisposeScope.Enter();
        foreach (var piece in _pieces)
            piece.Values.Grad = _gradShard.Narrow(0, piece.ShardOffset, piece.Length);
        _adamw.Step();
        using var noGrad = new NoGradScope();
        var shard = Tensor.Zeros([_shardLength], _gradShard.DType, _gradShard.Device);
        foreach (var piece in _pieces)
            shard.Narrow(0, piece.ShardOffset, piece.Length).CopyFrom(piece.Values);
        var full = Gather(shard, "parameter all-gather");
        for (var i = 0; i < _parameters.Length; i++)
            _parameters[i].Flatten().CopyFrom(full.Narrow(0, _offsets[i], _offsets[i + 1] - _offsets[i]));
        foreach (var piece in _pieces)
            piece.Values.Grad = null;
    }

    /// <summary>
    /// The whole first and second moments of every parameter, gathered from all ranks (a
    /// collective: every rank must call it), as tensors named by <paramref name="names"/>' entries.
    /// They stay alive until <see cref="ReleaseGathered"/>.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor ExpAvg, Tensor ExpAvgSq)> GatherMoments(IReadOnlyList<string> names)
    {
        ReleaseGathered();
        using var noGrad = new NoGradScope();
        var moments = new[] { _adamw.ExpAvg, _adamw.ExpAvgSq }.Select(GatherWhole).ToArray();
        var result = new List<(string, Tensor, Tensor)>();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var shape = _parameters[i].Shape;
            var views = moments.Select(m => Keep(m.Narrow(0, _offsets[i], _offsets[i + 1] - _offsets[i]).Reshape(shape))).ToArray();
            result.Add((names[i], views[0], views[1]));
        }
        return result;
    }

    /// <summary>Frees the moments <see cref="GatherMoments"/> gathered.</summary>
    public void ReleaseGathered()
    {
        foreach (var tensor in _gathered)
            tensor.Dispose();
        _gathered.Clear();
    }

    /// <summary>Takes this rank's part of the whole moments <paramref name="expAvg"/> / <paramref name="expAvgSq"/> of parameter <paramref name="index"/>.</summary>
    public void RestorePart(int index, Tensor expAvg, Tensor expAvgSq)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        for (var k = 0; k < _pieces.Length; k++)
        {
            var piece = _pieces[k];
            if (piece.Parameter != index)
                continue;
            _adamw.ExpAvg[k].CopyFrom(expAvg.Reshape([-1]).Narrow(0, piece.Start, piece.Length));
            _adamw.ExpAvgSq[k].CopyFrom(expAvgSq.Reshape([-1]).Narrow(0, piece.Start, piece.Length));
        }
    }

    /// <summary>Frees the moments, the gradient part and any gathered state.</summary>
    public void Dispose()
    {
        ReleaseGathered();
        _adamw.Dispose();
        _gradShard.Dispose();
        foreach (var piece in _pieces)
            piece.Values.Dispose();
    }

    // The parts of parameters that fall in [rank x S, (rank + 1) x S) of the flat vector; each
    // piece is a view of its parameter, so the update writes the parameter itself.
    private Piece[] PiecesOfThisRank()
    {
        var first = _parallel.Rank * _shardLength;
        var end = first + _shardLength;
        var pieces = new List<Piece>();
        using var noGrad = new NoGradScope();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var start = Math.Max(first, _offsets[i]);
            var stop = Math.Min(end, _offsets[i + 1]);
            if (start >= stop)
                continue;
            var view = _parameters[i].Detach().Flatten().Narrow(0, start - _offsets[i], stop - start).Keep();
            pieces.Add(new Piece(i, start - _offsets[i], stop - start, start - first, view));
        }
        return [.. pieces];
    }

    private Tensor GatherWhole(IReadOnlyList<Tensor> moments)
    {
        using var scope = DisposeScope.Enter();
        var shard = Tensor.Zeros([_shardLength], _gradShard.DType, _gradShard.Device);
        for (var k = 0; k < _pieces.Length; k++)
            shard.Narrow(0, _pieces[k].ShardOffset, _pieces[k].Length).CopyFrom(moments[k]);
        return Keep(Gather(shard, "optimizer-state all-gather"));
    }

    private Tensor Gather(Tensor shard, string what)
    {
        var full = Tensor.Zeros([_shardLength * _parallel.WorldSize], shard.DType, shard.Device);
        _parallel.Collective(what, () => _parallel.Group.AllGather(full, shard));
        return full;
    }

    private Tensor Keep(Tensor tensor)
    {
        _gathered.Add(tensor.Keep());
        return tensor;
    }

    private sealed record Piece(int Parameter, long Start, long Length, long ShardOffset, Tensor Values);
}
