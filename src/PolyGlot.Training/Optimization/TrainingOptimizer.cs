using PolyGlot.Model;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// AdamW over a model's parameters (one native call per step, see <see cref="Torch.Optim.AdamW"/>)
/// with the no-decay set of <see cref="DecayPolicy"/> and global-norm clipping, kept over the ranks
/// as <c>training.distributed.zero</c> says: whole on every rank (stage 0), or sharded by unit
/// (stages 1 to 3: the state, then the gradients, then the parameters; <see cref="ShardedAdamW"/>).
/// Its state is saved and restored by parameter name in one format whatever the stage, so a run
/// resumes on any number of ranks at any stage.
/// </summary>
public sealed class TrainingOptimizer : IDisposable
{
    /// <summary>Name of the optimizer-state tensor that holds AdamW's step count.</summary>
    public const string StepTensorName = OptimizerState.StepCount;

    private readonly IOptimizerStrategy _strategy;
    private readonly IReadOnlyList<ModelParameter> _parameters;
    private readonly double _gradClip;

    /// <summary>Creates the optimizer of one process with zeroed moments.</summary>
    public TrainingOptimizer(IReadOnlyList<ModelParameter> parameters, OptimizerConfig config)
        : this(parameters, config, new ReplicatedAdamW(parameters, config, parallel: null))
    {
    }

    private TrainingOptimizer(IReadOnlyList<ModelParameter> parameters, OptimizerConfig config, IOptimizerStrategy strategy) =>
        (_parameters, _gradClip, _strategy) = (parameters, config.GradClip, strategy);

    /// <summary>
    /// The optimizer of <paramref name="model"/> on this rank of <paramref name="parallel"/> (or
    /// alone when it is null) at ZeRO <paramref name="zeroStage"/>. At stages 2 and 3 it installs
    /// its unit hooks on the model (<see cref="TransformerModel.Units"/>); at stage 3 the
    /// parameters hold their values only inside <see cref="WithWholeParameters"/> and the training pass.
    /// </summary>
    public static TrainingOptimizer For(TransformerModel model, OptimizerConfig config, DataParallel? parallel, int zeroStage) =>
        new(model.Parameters, config, parallel is null || zeroStage == 0
            ? new ReplicatedAdamW(model.Parameters, config, parallel)
            : new ShardedAdamW(model, config, parallel, zeroStage));

    /// <summary>How the state is kept, for the log (e.g. <c>ZeRO-3 over 4 ranks ...</c>).</summary>
    public string Description => _strategy.Description;

    /// <summary>Bytes of AdamW moments held by this process (1/N of the whole when sharded over N ranks).</summary>
    public long StateBytes => _strategy.StateBytes;

    /// <summary>
    /// Bytes this process holds now for training the parameters: the storages of the parameters
    /// and of their gradients as libtorch reports them (0 where freed: gradients already
    /// reduce-scattered, ZeRO-3 parameters between uses) plus the tensors the strategy keeps
    /// (AdamW moments, gradient and parameter shards).
    /// </summary>
    public long HeldBytes
    {
        get
        {
            using var scope = DisposeScope.Enter();
            return _parameters.Sum(p => p.Tensor.StorageBytes + (p.Tensor.Grad?.StorageBytes ?? 0)) + _strategy.OwnedBytes;
        }
    }

    /// <summary>The learning rate of the next update.</summary>
    public double LearningRate
    {
        get => _strategy.LearningRate;
        set => _strategy.LearningRate = value;
    }

    /// <summary>Updates applied so far (bias correction uses it; skipped steps do not count).</summary>
    public long StepCount => _strategy.StepCount;

    /// <summary>Gradient buckets and how many started during the last backward, when plain data parallelism overlaps them with it.</summary>
    public (int Buckets, long DuringBackward)? BucketStats => _strategy.BucketStats;

    /// <summary>Call before each micro-batch; <paramref name="last"/> for the one whose backward makes the gradients final.</summary>
    public void BeginMicroBatch(bool last) => _strategy.BeginMicroBatch(last);

    /// <summary>After the last micro-batch: the gradients (or this rank's part of them) become their mean over all ranks.</summary>
    public void SynchronizeGradients() => _strategy.SynchronizeGradients();

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
    public Tensor ClipGradientsOnDevice() => _strategy.ClipGradients(_gradClip > 0 ? _gradClip : double.MaxValue);

    /// <summary>Applies one AdamW update with the accumulated gradients.</summary>
    public void Step() => _strategy.Step();

    /// <summary>Drops all gradients (before the next step's first micro-batch, or after a skipped step).</summary>
    public void ZeroGrad() => _strategy.ZeroGrad();

    /// <summary>
    /// Runs <paramref name="action"/> with every parameter holding its whole value (at ZeRO-3 they
    /// are gathered for it, a collective that every rank calls); with <paramref name="writesValues"/>
    /// what it writes into the parameters is kept (a restored checkpoint, a broadcast).
    /// </summary>
    public void WithWholeParameters(Action action, bool writesValues = false) => _strategy.WithWholeParameters(action, writesValues);

    /// <summary>
    /// This rank's part of a checkpoint whose ranks each write their own file (ZeRO stages 1 to 3
    /// over several ranks), with the index of every rank's parts; null when the state is whole
    /// and one process writes it (<see cref="StatePayloads"/>).
    /// </summary>
    public ShardedState? LocalShards() => _strategy.LocalShards();

    /// <summary>The moments as named tensors (<c>exp_avg.&lt;name&gt;</c>, <c>exp_avg_sq.&lt;name&gt;</c>) and the step count, when the state is whole.</summary>
    /// <exception cref="InvalidOperationException">The state is sharded: each rank writes its part (<see cref="LocalShards"/>).</exception>
    public IReadOnlyList<SafetensorsPayload> StatePayloads()
    {
        var moments = _strategy.WholeMoments() ?? throw new InvalidOperationException(
            "the optimizer state is sharded over the ranks: each rank writes its own part (LocalShards)");
        var payloads = new List<SafetensorsPayload>();
        foreach (var (parameter, expAvg, expAvgSq) in moments)
        {
            payloads.Add(SafetensorsTensors.Payload(OptimizerState.ExpAvg(parameter), expAvg));
            payloads.Add(SafetensorsTensors.Payload(OptimizerState.ExpAvgSq(parameter), expAvgSq));
        }
        payloads.Add(SafetensorsPayload.FromBytes(StepTensorName, SafetensorsDType.I64, [1], BitConverter.GetBytes(StepCount)));
        return payloads;
    }

    /// <summary>
    /// Overwrites the parameters (this rank's part of them, at ZeRO-3) from a checkpoint's model
    /// tensors, whole files or the ranks' parts of any world size.
    /// </summary>
    /// <exception cref="InvalidDataException">A parameter is missing or has another shape; the message names it.</exception>
    public void RestoreParameters(CheckpointTensors weights)
    {
        foreach (var parameter in _parameters)
            Require(weights, parameter.Name, parameter.Shape);
        _strategy.RestoreParameters(weights);
    }

    /// <summary>Overwrites the moments (this rank's part of them, when sharded) and the step count from a checkpoint's optimizer state.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape; the message names it.</exception>
    public void Restore(CheckpointTensors state)
    {
        foreach (var parameter in _parameters)
        {
            Require(state, OptimizerState.ExpAvg(parameter), parameter.Shape);
            Require(state, OptimizerState.ExpAvgSq(parameter), parameter.Shape);
        }
        Require(state, StepTensorName, [1]);
        _strategy.RestoreMoments(state);
        using var scope = DisposeScope.Enter();
        _strategy.StepCount = state.ReadRange(StepTensorName, 0, 1, Device.Cpu).ToArray<long>()[0];
    }

    /// <summary>Frees the moment buffers (and, when sharded, the gradient and parameter parts).</summary>
    public void Dispose() => _strategy.Dispose();

    private static void Require(CheckpointTensors source, string name, IReadOnlyList<long> shape)
    {
        if (!source.Contains(name))
            throw new InvalidDataException($"{source.Source} holds no tensor '{name}'; the checkpoint is from another model or incomplete.");
        source.RequireShape(name, shape);
    }
}
