using System.Globalization;
using PolyGlot.Model;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Optim;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// AdamW sharded over the data-parallel ranks by unit (<see cref="UnitShard"/>: each block, and
/// everything outside the blocks, split evenly), after ZeRO (Rajbhandari et al. 2020):
/// <list type="bullet">
/// <item>stage 1: each rank keeps the moments of its part; after the last micro-batch's backward the
/// whole gradients are reduce-scattered unit by unit, and after the update each unit's parts are all-gathered;</item>
/// <item>stage 2: as 1, but a unit's gradients are reduce-scattered into the rank's part as soon as
/// the backward of each micro-batch has finished them, and freed: no rank holds more than one
/// unit's whole gradient;</item>
/// <item>stage 3: as 2, and the parameters too are kept as each rank's part only, gathered for a
/// unit's forward and again for its backward (<see cref="ShardedValues"/>).</item>
/// </list>
/// Each element's update is the one <see cref="AdamW"/> makes, so results equal plain data
/// parallelism up to the rounding of the summed gradients and of the gradient norm.
/// </summary>
internal sealed class ShardedAdamW : IOptimizerStrategy, IParameterUnits
{
    private readonly TransformerModel _model;
    private readonly DataParallel _parallel;
    private readonly int _stage;
    private readonly UnitShard[] _units;
    private readonly IShardedParameterValues _values;
    private readonly StatePiece[] _pieces;
    private readonly AdamW _adamw;
    private readonly List<Tensor> _gathered = [];

    /// <summary>Shards the state of <paramref name="model"/>'s parameters over <paramref name="parallel"/> at ZeRO <paramref name="stage"/> (1 to 3).</summary>
    public ShardedAdamW(TransformerModel model, OptimizerConfig config, DataParallel parallel, int stage)
    {
        if (stage is < 1 or > 3)
            throw new ArgumentOutOfRangeException(nameof(stage), stage, "ZeRO stages 1, 2 and 3 shard the optimizer state.");
        (_model, _parallel, _stage) = (model, parallel, stage);
        _units = model.UnitParameters.Select((parameters, i) => new UnitShard(i, parameters, parallel.Rank, parallel.WorldSize)).ToArray();
        _values = stage == 3 ? new ShardedValues(_units, parallel) : new ReplicatedValues(parallel);
        // Pieces in AdamW's order (decayed first), so that its k-th moment is piece k's.
        var byDecay = _units.SelectMany(u => u.Pieces.Select(p => new StatePiece(u, p, _values.UpdateTarget(u, p))))
            .GroupBy(p => DecayPolicy.Decays(p.Piece.Parameter.Kind))
            .OrderByDescending(g => g.Key)
            .ToList();
        _pieces = byDecay.SelectMany(g => g).ToArray();
        _adamw = new AdamW(byDecay.Select(g => new ParameterGroup(g.Select(p => p.Target).ToList(), g.Key ? config.WeightDecay : 0)).ToList(),
            config.Lr, config.Beta1, config.Beta2, config.Eps);
        if (stage >= 2)
            model.Units = this;
    }

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"ZeRO-{_stage} over {_parallel.WorldSize} ranks ({_units.Length} units; AdamW state{(_stage >= 2 ? ", gradients" : "")}{(_stage == 3 ? ", parameters" : "")} sharded)");

    public long StateBytes => 2 * _pieces.Sum(p => p.Piece.Length) * _units[0].Gradient.DType.ElementSize();

    public long OwnedBytes => StateBytes + _units.Sum(u => u.Gradient.NumEl * u.Gradient.DType.ElementSize()) + _values.OwnedBytes;

    public double LearningRate
    {
        get => _adamw.LearningRate;
        set => _adamw.LearningRate = value;
    }

    public long StepCount
    {
        get => _adamw.StepCount;
        set => _adamw.StepCount = value;
    }

    public (int Buckets, long DuringBackward)? BucketStats => null;

    public void BeginMicroBatch(bool last) { }

    public void SynchronizeGradients()
    {
        // Stages 2 and 3 reduced each unit as its backward finished (GradientsComplete).
        if (_stage == 1)
            foreach (var unit in _units)
                ReduceScatter(unit);
    }

    public void Acquire(int unit) => _values.Acquire(_units[unit]);

    public void Release(int unit) => _values.Release(_units[unit]);

    public void GradientsComplete(int unit) => ReduceScatter(_units[unit]);

    /// <summary>The 2-norm of the whole mean gradient from every rank's parts (float64, 0-dim); scales this rank's parts as clip_grad_norm_ does.</summary>
    public Tensor ClipGradients(double maxNorm)
    {
        using var noGrad = new NoGradScope();
        var squares = Tensor.Zeros([1], DType.Float64, _units[0].Gradient.Device);
        foreach (var unit in _units)
            squares.AddInPlace(unit.Gradient.To(DType.Float64).Square().Sum());
        _parallel.SumInPlace(squares, "gradient norm");
        var norm = squares.Sqrt().Reshape([]);
        var coefficient = norm.Add(1e-6).Reciprocal().Mul(maxNorm).Clamp(max: 1.0);
        foreach (var unit in _units)
            unit.Gradient.MulInPlace(coefficient.To(unit.Gradient.DType));
        return norm;
    }

    public void Step()
    {
        using var scope = DisposeScope.Enter();
        foreach (var piece in _pieces)
            piece.Target.Grad = piece.Unit.Gradient.Narrow(0, piece.Piece.ShardOffset, piece.Piece.Length);
        _adamw.Step();
        foreach (var piece in _pieces)
            piece.Target.Grad = null;
        _values.AfterStep(_units);
    }

    public void ZeroGrad()
    {
        foreach (var unit in _units)
        {
            Tensor.ZeroGrads(unit.Parameters.Select(p => p.Tensor).ToList(), setToNone: true);
            unit.Gradient.Zero();
        }
    }

    public void WithWholeParameters(Action action, bool writesValues) => _values.WithWholeParameters(_units, action, writesValues);

    public IReadOnlyList<(ModelParameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq)> GatherMoments()
    {
        ReleaseMoments();
        using var noGrad = new NoGradScope();
        var result = new List<(ModelParameter, Tensor, Tensor)>();
        foreach (var unit in _units)
        {
            var expAvg = GatherWhole(unit, _adamw.ExpAvg);
            var expAvgSq = GatherWhole(unit, _adamw.ExpAvgSq);
            for (var i = 0; i < unit.Parameters.Count; i++)
            {
                var parameter = unit.Parameters[i];
                result.Add((parameter, Keep(expAvg.Narrow(0, unit.Offset(i), parameter.NumEl).Reshape(parameter.Shape)),
                    Keep(expAvgSq.Narrow(0, unit.Offset(i), parameter.NumEl).Reshape(parameter.Shape))));
            }
        }
        return result;
    }

    public void ReleaseMoments()
    {
        foreach (var tensor in _gathered)
            tensor.Dispose();
        _gathered.Clear();
    }

    public void RestoreMoments(ModelParameter parameter, Tensor expAvg, Tensor expAvgSq)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        for (var k = 0; k < _pieces.Length; k++)
        {
            var piece = _pieces[k].Piece;
            if (!ReferenceEquals(piece.Parameter, parameter))
                continue;
            _adamw.ExpAvg[k].CopyFrom(expAvg.Reshape([-1]).Narrow(0, piece.Start, piece.Length));
            _adamw.ExpAvgSq[k].CopyFrom(expAvgSq.Reshape([-1]).Narrow(0, piece.Start, piece.Length));
        }
    }

    public void Dispose()
    {
        if (ReferenceEquals(_model.Units, this))
            _model.Units = null;
        ReleaseMoments();
        _adamw.Dispose();
        foreach (var piece in _pieces)
            piece.Target.Dispose();
        _values.Dispose();
        foreach (var unit in _units)
            unit.Dispose();
    }

    // Sums the unit's gradients over ranks into this rank's part of their mean, then drops the whole gradients.
    private void ReduceScatter(UnitShard unit)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var whole = unit.Flatten(p => p.Tensor.Grad);
        unit.Gradient.AddInPlace(ShardCollectives.ReduceScatterMean(_parallel, whole, "gradient reduce-scatter"));
        foreach (var parameter in unit.Parameters)
            parameter.Tensor.Grad = null;
    }

    // The unit's whole moment (N·S elements) from every rank's pieces of it.
    private Tensor GatherWhole(UnitShard unit, IReadOnlyList<Tensor> moments)
    {
        using var scope = DisposeScope.Enter();
        var part = Tensor.Zeros([unit.ShardLength], unit.Gradient.DType, unit.Gradient.Device);
        for (var k = 0; k < _pieces.Length; k++)
            if (ReferenceEquals(_pieces[k].Unit, unit))
                part.Narrow(0, _pieces[k].Piece.ShardOffset, _pieces[k].Piece.Length).CopyFrom(moments[k]);
        return Keep(ShardCollectives.AllGather(_parallel, part, "optimizer-state all-gather"));
    }

    private Tensor Keep(Tensor tensor)
    {
        _gathered.Add(tensor.Keep());
        return tensor;
    }

    private sealed record StatePiece(UnitShard Unit, ShardPiece Piece, Tensor Target);
}
