using PolyGlot.Torch;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// Where a sharded run keeps its parameters' values between uses: whole on every rank (ZeRO-1 and
/// -2, <see cref="ReplicatedValues"/>) or as this rank's part only, gathered around each use
/// (ZeRO-3, <see cref="ShardedValues"/>).
/// </summary>
internal interface IShardedParameterValues : IDisposable
{
    /// <summary>The tensor AdamW updates for <paramref name="piece"/> of <paramref name="unit"/> (it keeps the update).</summary>
    Tensor UpdateTarget(UnitShard unit, ShardPiece piece);

    /// <summary>Bytes of the values kept apart from the parameters (ZeRO-3's master parts).</summary>
    long OwnedBytes { get; }

    /// <summary>Makes the unit's parameters hold their whole values.</summary>
    void Acquire(UnitShard unit);

    /// <summary>The unit's values are not read before the next <see cref="Acquire"/>.</summary>
    void Release(UnitShard unit);

    /// <summary>After AdamW updated every rank's part: what the parameters must show before the next forward.</summary>
    void AfterStep(IReadOnlyList<UnitShard> units);

    /// <summary>Takes this rank's values of every unit from a checkpoint's model tensors.</summary>
    void RestoreValues(IReadOnlyList<UnitShard> units, CheckpointTensors source);

    /// <summary>Runs <paramref name="action"/> with every parameter whole; with <paramref name="writesValues"/> its writes are kept.</summary>
    void WithWholeParameters(IReadOnlyList<UnitShard> units, Action action, bool writesValues);
}

/// <summary>Whole parameters on every rank: AdamW updates views of them, then each unit's parts are all-gathered.</summary>
internal sealed class ReplicatedValues(DataParallel parallel) : IShardedParameterValues
{
    public Tensor UpdateTarget(UnitShard unit, ShardPiece piece)
    {
        using var noGrad = new NoGradScope();
        return piece.Parameter.Tensor.Detach().Flatten().Narrow(0, piece.Start, piece.Length).Keep();
    }

    public long OwnedBytes => 0;

    public void Acquire(UnitShard unit) { }

    public void Release(UnitShard unit) { }

    public void WithWholeParameters(IReadOnlyList<UnitShard> units, Action action, bool writesValues) => action();

    public void RestoreValues(IReadOnlyList<UnitShard> units, CheckpointTensors source)
    {
        using var noGrad = new NoGradScope();
        foreach (var parameter in units.SelectMany(u => u.Parameters))
            source.CopyInto(parameter.Name, parameter.Tensor);
    }

    public void AfterStep(IReadOnlyList<UnitShard> units)
    {
        using var noGrad = new NoGradScope();
        foreach (var unit in units)
        {
            using var scope = DisposeScope.Enter();
            unit.Scatter(ShardCollectives.AllGather(parallel, unit.LocalValues(), "parameter all-gather"), p => p.Tensor);
        }
    }

    public void Dispose() { }
}

/// <summary>
/// This rank's part of each unit's parameters as a float32 master vector; the parameters
/// themselves keep their shape and autograd identity but hold no memory outside
/// <see cref="Acquire"/> .. <see cref="Release"/>. Gathering writes through an untracked alias, so
/// the graphs that saved a parameter in forward accept its refilled values in backward.
/// </summary>
internal sealed class ShardedValues : IShardedParameterValues
{
    private readonly DataParallel _parallel;
    private readonly Tensor[] _master;

    /// <summary>Takes this rank's part of every unit's (whole, equal on all ranks) parameters, then frees them.</summary>
    public ShardedValues(IReadOnlyList<UnitShard> units, DataParallel parallel)
    {
        _parallel = parallel;
        using var noGrad = new NoGradScope();
        _master = units.Select(u => u.LocalValues().Keep()).ToArray();
        foreach (var unit in units)
            Release(unit);
    }

    public Tensor UpdateTarget(UnitShard unit, ShardPiece piece)
    {
        using var noGrad = new NoGradScope();
        return _master[unit.Index].Narrow(0, piece.ShardOffset, piece.Length).Keep();
    }

    public long OwnedBytes => _master.Sum(m => m.NumEl * m.DType.ElementSize());

    public void Acquire(UnitShard unit)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        foreach (var parameter in unit.Parameters)
            parameter.Tensor.ReallocateStorage();
        var whole = ShardCollectives.AllGather(_parallel, _master[unit.Index], "parameter all-gather");
        unit.Scatter(whole, p => p.Tensor.UntrackedAlias());
    }

    public void Release(UnitShard unit)
    {
        foreach (var parameter in unit.Parameters)
            parameter.Tensor.ReleaseStorage();
    }

    public void AfterStep(IReadOnlyList<UnitShard> units) { }

    // Only this rank's ranges are read: a resume never holds the whole model.
    public void RestoreValues(IReadOnlyList<UnitShard> units, CheckpointTensors source)
    {
        using var noGrad = new NoGradScope();
        foreach (var unit in units)
            foreach (var piece in unit.Pieces)
            {
                using var scope = DisposeScope.Enter();
                _master[unit.Index].Narrow(0, piece.ShardOffset, piece.Length)
                    .CopyFrom(source.ReadRange(piece.Parameter.Name, piece.Start, piece.Length, _master[unit.Index].Device));
            }
    }

    // Every unit is gathered for the whole call: memory for the whole model, as in an unsharded run.
    public void WithWholeParameters(IReadOnlyList<UnitShard> units, Action action, bool writesValues)
    {
        foreach (var unit in units)
            Acquire(unit);
        try
        {
            action();
            if (writesValues)
                foreach (var unit in units)
                    TakeValues(unit);
        }
        finally
        {
            foreach (var unit in units)
                Release(unit);
        }
    }

    // Copies this rank's part of the unit's (acquired) parameters back into the master vector.
    private void TakeValues(UnitShard unit)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        _master[unit.Index].CopyFrom(unit.LocalValues());
    }

    public void Dispose()
    {
        foreach (var master in _master)
            master.Dispose();
    }
}

/// <summary>The collectives of sharded training, through <see cref="DataParallel.Collective"/> so that a failure names the rank.</summary>
internal static class ShardCollectives
{
    /// <summary>Every rank's <paramref name="part"/> (S elements) concatenated in rank order: N·S elements.</summary>
    public static Tensor AllGather(DataParallel parallel, Tensor part, string what)
    {
        var whole = Tensor.Empty([part.NumEl * parallel.WorldSize], part.DType, part.Device);
        parallel.Collective(what, () => parallel.Group.AllGather(whole, part));
        return whole;
    }

    /// <summary>This rank's S elements of the mean over ranks of <paramref name="whole"/> (N·S elements).</summary>
    public static Tensor ReduceScatterMean(DataParallel parallel, Tensor whole, string what)
    {
        var part = Tensor.Empty([whole.NumEl / parallel.WorldSize], whole.DType, whole.Device);
        parallel.Collective(what, () => parallel.Group.ReduceScatter(part, whole, 1.0 / parallel.WorldSize));
        return part;
    }
}
