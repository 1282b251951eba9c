using System.Globalization;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Distributed;
using PolyGlot.Torch.Optim;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// Whole parameters, gradients and AdamW state on every process (ZeRO stage 0): one process, or
/// plain data parallelism whose gradients are all-reduced in buckets, during the last
/// micro-batch's backward when <c>overlap_backward</c> is set, else after it.
/// </summary>
internal sealed class ReplicatedAdamW : IOptimizerStrategy
{
    private readonly AdamW _adamw;
    private readonly IReadOnlyList<ModelParameter> _ordered;
    private readonly Tensor[] _tensors;
    private readonly DataParallel? _parallel;
    private readonly GradientReducer? _reducer;

    /// <summary>AdamW over <paramref name="parameters"/> (in model order); with <paramref name="parallel"/>, averaged over its ranks.</summary>
    public ReplicatedAdamW(IReadOnlyList<ModelParameter> parameters, OptimizerConfig config, DataParallel? parallel)
    {
        var (groups, ordered) = DecayPolicy.Groups(parameters, config.WeightDecay);
        (_ordered, _parallel) = (ordered, parallel);
        _tensors = ordered.Select(p => p.Tensor).ToArray();
        _adamw = new AdamW(groups, config.Lr, config.Beta1, config.Beta2, config.Eps);
        // The buckets need the model's order (the last layers' gradients are final first), not the optimizer's.
        _reducer = parallel is { OverlapBackward: true } ? parallel.OverlappedAverage(parameters.Select(p => p.Tensor).ToList()) : null;
    }

    public string Description => _parallel is null
        ? "whole AdamW state"
        : string.Create(CultureInfo.InvariantCulture, $"plain data parallel over {_parallel.WorldSize} ranks (whole AdamW state on each)");

    public long StateBytes => 2 * _tensors.Sum(t => t.NumEl * t.DType.ElementSize());

    public long OwnedBytes => StateBytes;

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

    public (int Buckets, long DuringBackward)? BucketStats => _reducer is null ? null : (_reducer.BucketCount, _reducer.StartedInBackward);

    public void BeginMicroBatch(bool last)
    {
        if (last)
            _reducer?.Arm();
    }

    public void SynchronizeGradients()
    {
        if (_parallel is null)
            return;
        if (_reducer is not null)
            _parallel.AverageGradients(_reducer);
        else
            _parallel.AverageGradients(_tensors);
    }

    public Tensor ClipGradients(double maxNorm) => GradientClipping.ClipGradNormOnDevice(_tensors, maxNorm);

    public void Step() => _adamw.Step();

    public void ZeroGrad() => Tensor.ZeroGrads(_tensors, setToNone: true);

    public void WithWholeParameters(Action action, bool writesValues) => action();

    public IReadOnlyList<(ModelParameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq)> WholeMoments() =>
        _ordered.Select((p, i) => (p, _adamw.ExpAvg[i], _adamw.ExpAvgSq[i])).ToList();

    public ShardedState? LocalShards() => null;

    public void RestoreParameters(CheckpointTensors source)
    {
        using var noGrad = new NoGradScope();
        foreach (var parameter in _ordered)
            source.CopyInto(parameter.Name, parameter.Tensor);
    }

    public void RestoreMoments(CheckpointTensors source)
    {
        for (var i = 0; i < _ordered.Count; i++)
        {
            source.CopyInto(OptimizerState.ExpAvg(_ordered[i]), _adamw.ExpAvg[i]);
            source.CopyInto(OptimizerState.ExpAvgSq(_ordered[i]), _adamw.ExpAvgSq[i]);
        }
    }

    public void Dispose()
    {
        _reducer?.Dispose();
        _adamw.Dispose();
    }
}
