using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Distributed;
using PolyGlot.Torch.Optim;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// AdamW over a model's parameters (one native call per step over all of them, see
/// <see cref="AdamW"/>) with the no-decay set of <see cref="DecayPolicy"/> and global-norm
/// clipping; its state is saved and restored by parameter name. Over several ranks with
/// <c>training.distributed.zero: 1</c> the state is sharded (<see cref="ShardedAdamW"/>); the
/// checkpoint format is the same either way, so a run resumes on any number of ranks.
/// </summary>
public sealed class TrainingOptimizer : IDisposable
{
    /// <summary>Name of the optimizer-state tensor that holds AdamW's step count.</summary>
    public const string StepTensorName = "adamw.step";

    private readonly AdamW? _adamw;
    private readonly ShardedAdamW? _sharded;
    private readonly IReadOnlyList<ModelParameter> _ordered;
    private readonly Tensor[] _tensors;
    private readonly double _gradClip;
    private IReadOnlyList<(string Name, Tensor ExpAvg, Tensor ExpAvgSq)>? _gathered;

    /// <summary>
    /// Creates the optimizer with zeroed moments: whole on this process, or with
    /// <paramref name="shardOver"/> a part of them on each of its ranks (ZeRO-1).
    /// </summary>
    public TrainingOptimizer(IReadOnlyList<ModelParameter> parameters, OptimizerConfig config, DataParallel? shardOver = null)
    {
        var (groups, ordered) = DecayPolicy.Groups(parameters, config.WeightDecay);
        _ordered = ordered;
        _tensors = ordered.Select(p => p.Tensor).ToArray();
        if (shardOver is null)
            _adamw = new AdamW(groups, config.Lr, config.Beta1, config.Beta2, config.Eps);
        else
            _sharded = new ShardedAdamW(groups, shardOver, config.Lr, config.Beta1, config.Beta2, config.Eps);
        _gradClip = config.GradClip;
    }

    /// <summary>The optimised parameters, in the optimizer's (and the gradient buckets') order.</summary>
    public IReadOnlyList<Tensor> Parameters => _tensors;

    /// <summary>True when the moments are sharded over ranks (ZeRO-1).</summary>
    public bool IsSharded => _sharded is not null;

    /// <summary>Bytes of AdamW moments held by this process (1/N of the whole when sharded over N ranks).</summary>
    public long StateBytes => _sharded is not null
        ? _sharded.StateElements * _tensors[0].DType.ElementSize()
        : 2 * _tensors.Sum(t => t.NumEl * t.DType.ElementSize());

    /// <summary>The learning rate of the next update.</summary>
    public double LearningRate
    {
        get => _sharded?.LearningRate ?? _adamw!.LearningRate;
        set
        {
            if (_sharded is not null)
                _sharded.LearningRate = value;
            else
                _adamw!.LearningRate = value;
        }
    }

    /// <summary>Updates applied so far (bias correction uses it; skipped steps do not count).</summary>
    public long StepCount => _sharded?.StepCount ?? _adamw!.StepCount;

    /// <summary>
    /// The global 2-norm of all gradients, before clipping; when <c>grad_clip</c> is set, gradients
    /// are scaled so that their norm is at most that (torch.nn.utils.clip_grad_norm_).
    /// </summary>
    public double ClipGradients()
    {
        using var scope = DisposeScope.Enter();
        return ClipGradientsOnDevice().ToDouble();
    }

    /// <summary>
    /// As <see cref="ClipGradients"/>, leaving the norm on the device as a 0-dim tensor (float32,
    /// or float64 when the state is sharded), so that nothing waits for the device here.
    /// </summary>
    public Tensor ClipGradientsOnDevice()
    {
        var maxNorm = _gradClip > 0 ? _gradClip : double.MaxValue;
        return _sharded?.ClipGradients(maxNorm) ?? GradientClipping.ClipGradNormOnDevice(_tensors, maxNorm);
    }

    /// <summary>
    /// Makes the gradients those of the mean over all ranks of <paramref name="parallel"/>: an
    /// all-reduce, or with sharded state a reduce-scatter that leaves each rank its part.
    /// </summary>
    public void AverageGradients(DataParallel parallel)
    {
        if (_sharded is not null)
            _sharded.ReduceScatterGradients();
        else
            parallel.AverageGradients(_tensors);
    }

    /// <summary>Applies one AdamW update with the accumulated gradients.</summary>
    public void Step()
    {
        if (_sharded is not null)
            _sharded.Step();
        else
            _adamw!.Step();
    }

    /// <summary>Drops all gradients (before the next step's first micro-batch, or after a skipped step).</summary>
    public void ZeroGrad() => Tensor.ZeroGrads(_tensors, setToNone: true);

    /// <summary>
    /// With sharded state, gathers the whole moments from every rank for <see cref="StatePayloads"/>
    /// (a collective: every rank calls it before a checkpoint); nothing to do otherwise.
    /// </summary>
    public void GatherStateForCheckpoint() =>
        _gathered = _sharded?.GatherMoments(_ordered.Select(p => p.Name).ToList());

    /// <summary>Frees what <see cref="GatherStateForCheckpoint"/> gathered, once the checkpoint is written.</summary>
    public void ReleaseGatheredState()
    {
        _sharded?.ReleaseGathered();
        _gathered = null;
    }

    /// <summary>The moments as named tensors (<c>exp_avg.&lt;name&gt;</c>, <c>exp_avg_sq.&lt;name&gt;</c>) and the step count.</summary>
    public IReadOnlyList<SafetensorsPayload> StatePayloads()
    {
        var payloads = new List<SafetensorsPayload>();
        for (var i = 0; i < _ordered.Count; i++)
        {
            var (expAvg, expAvgSq) = Moments(i);
            payloads.Add(SafetensorsTensors.Payload("exp_avg." + _ordered[i].Name, expAvg));
            payloads.Add(SafetensorsTensors.Payload("exp_avg_sq." + _ordered[i].Name, expAvgSq));
        }
        var step = BitConverter.GetBytes(StepCount);
        payloads.Add(SafetensorsPayload.FromBytes(StepTensorName, SafetensorsDType.I64, [1], step));
        return payloads;
    }

    /// <summary>Overwrites the moments (this rank's part of them, when sharded) and the step count from a checkpoint's optimizer file.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape; the message names it.</exception>
    public void Restore(SafetensorsFile file)
    {
        using (new NoGradScope())
        {
            for (var i = 0; i < _ordered.Count; i++)
            {
                var (avgName, sqName) = (Required(file, "exp_avg." + _ordered[i].Name), Required(file, "exp_avg_sq." + _ordered[i].Name));
                if (_sharded is null)
                {
                    file.CopyInto(avgName, _adamw!.ExpAvg[i]);
                    file.CopyInto(sqName, _adamw.ExpAvgSq[i]);
                    continue;
                }
                using var scope = DisposeScope.Enter();
                var expAvg = file.ReadTensor(avgName, _tensors[i].Device);
                var expAvgSq = file.ReadTensor(sqName, _tensors[i].Device);
                if (!expAvg.Shape.SequenceEqual(_tensors[i].Shape) || !expAvgSq.Shape.SequenceEqual(_tensors[i].Shape))
                    throw new InvalidDataException($"{file.Path}: the moments of '{_ordered[i].Name}' have another shape than the parameter.");
                _sharded.RestorePart(i, expAvg, expAvgSq);
            }
        }
        var count = BitConverter.ToInt64(file.GetBytes(Required(file, StepTensorName)));
        if (_sharded is not null)
            _sharded.StepCount = count;
        else
            _adamw!.StepCount = count;
    }

    /// <summary>Frees the moment buffers.</summary>
    public void Dispose()
    {
        _adamw?.Dispose();
        _sharded?.Dispose();
    }

    private (Tensor ExpAvg, Tensor ExpAvgSq) Moments(int index)
    {
        if (_sharded is null)
            return (_adamw!.ExpAvg[index], _adamw.ExpAvgSq[index]);
        var gathered = _gathered ?? throw new InvalidOperationException(
            "the optimizer state is sharded: call GatherStateForCheckpoint on every rank before taking its payloads");
        return (gathered[index].ExpAvg, gathered[index].ExpAvgSq);
    }

    private static string Required(SafetensorsFile file, string name) => file.Contains(name)
        ? name
        : throw new InvalidDataException($"{file.Path} holds no optimizer tensor '{name}'; the checkpoint is from another model or incomplete.");
}
