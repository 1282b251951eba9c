using System.Globalization;
using PolyGlot.Model;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Optim;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
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

    public IReadOnlyList<(ModelParameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq)>? WholeMoments() => null;

    public ShardedState LocalShards()
    {
        var index = new ShardIndex { WorldSize = _parallel.WorldSize };
        foreach (var unit in _units)
        {
            var pieces = Enumerable.Range(0, _parallel.WorldSize).SelectMany(r => unit.PiecesOf(r).Select(p => (Rank: r, Piece: p))).ToList();
            foreach (var parameter in unit.Parameters)
            {
                var own = pieces.Where(p => ReferenceEquals(p.Piece.Parameter, parameter))
                    .Select(p => new ShardPieceEntry { Rank = p.Rank, Start = p.Piece.Start, Length = p.Piece.Length }).ToList();
                foreach (var (name, group) in new[] { (parameter.Name, ShardIndex.ModelGroup), (OptimizerState.ExpAvg(parameter), ShardIndex.OptimizerGroup),
                             (OptimizerState.ExpAvgSq(parameter), ShardIndex.OptimizerGroup) })
                    index.Tensors.Add(new ShardedTensorEntry { Name = name, Group = group, Shape = parameter.Shape, Pieces = own });
            }
        }
        index.Tensors.Add(new ShardedTensorEntry
        {
            Name = OptimizerState.StepCount, Group = ShardIndex.OptimizerGroup, Shape = [1], Pieces = [new ShardPieceEntry { Rank = 0, Start = 0, Length = 1 }],
        });
        var local = new List<SafetensorsPayload>();
        for (var k = 0; k < _pieces.Length; k++)
        {
            var parameter = _pieces[k].Piece.Parameter;
            local.Add(SafetensorsTensors.Payload(parameter.Name, _pieces[k].Target));
            local.Add(SafetensorsTensors.Payload(OptimizerState.ExpAvg(parameter), _adamw.ExpAvg[k]));
            local.Add(SafetensorsTensors.Payload(OptimizerState.ExpAvgSq(parameter), _adamw.ExpAvgSq[k]));
        }
        if (_parallel.Rank == 0)
            local.Add(SafetensorsPayload.FromBytes(OptimizerState.StepCount, SafetensorsDType.I64, [1], BitConverter.GetBytes(StepCount)));
        return new ShardedState(index, local);
    }

    public void RestoreParameters(CheckpointTensors source) => _values.RestoreValues(_units, source);

    public void RestoreMoments(CheckpointTensors source)
    {
        using var noGrad = new NoGradScope();
        for (var k = 0; k < _pieces.Length; k++)
        {
            using var scope = DisposeScope.Enter();
            var (piece, device) = (_pieces[k].Piece, _pieces[k].Target.Device);
            _adamw.ExpAvg[k].CopyFrom(source.ReadRange(OptimizerState.ExpAvg(piece.Parameter), piece.Start, piece.Length, device));
            _adamw.ExpAvgSq[k].CopyFrom(source.ReadRange(OptimizerState.ExpAvgSq(piece.Parameter), piece.Start, piece.Length, device));
        }
    }

    public void Dispose()
    {
        if (ReferenceEquals(_model.Units, this))
            _model.Units = null;
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

    private sealed record StatePiece(UnitShard Unit, ShardPiece Piece, Tensor Target);
}
