using System.Globalization;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Distributed;
using PolyGlot.Torch.Optim;
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

    public IReadOnlyList<(ModelParameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq)> GatherMoments() =>
        _ordered.Select((p, i) => (p, _adamw.ExpAvg[i], _adamw.ExpAvgSq[i])).ToList();

    public void ReleaseMoments() { }

    public void RestoreMoments(ModelParameter parameter, Tensor expAvg, Tensor expAvgSq)
    {
        var index = IndexOf(parameter);
        _adamw.ExpAvg[index].CopyFrom(expAvg);
        _adamw.ExpAvgSq[index].CopyFrom(expAvgSq);
    }

    public void Dispose()
    {
        _reducer?.Dispose();
        _adamw.Dispose();
    }

    private int IndexOf(ModelParameter parameter)
    {
        for (var i = 0; i < _ordered.Count; i++)
            if (ReferenceEquals(_ordered[i], parameter))
                return i;
        throw new ArgumentException($"'{parameter.Name}' is not a parameter of this optimizer.", nameof(parameter));
    }
}
