using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Optim;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Optimization;

/// <summary>
/// AdamW over a model's parameters (one native call per step over all of them, see
/// <see cref="AdamW"/>) with the no-decay set of <see cref="DecayPolicy"/> and global-norm
/// clipping; its state is saved and restored by parameter name.
/// </summary>
public sealed class TrainingOptimizer : IDisposable
{
    /// <summary>Name of the optimizer-state tensor that holds AdamW's step count.</summary>
    public const string StepTensorName = "adamw.step";

    private readonly AdamW _adamw;
    private readonly IReadOnlyList<ModelParameter> _ordered;
    private readonly Tensor[] _tensors;
    private readonly double _gradClip;

    /// <summary>Creates the optimizer with zeroed moments.</summary>
    public TrainingOptimizer(IReadOnlyList<ModelParameter> parameters, OptimizerConfig config)
    {
        var (groups, ordered) = DecayPolicy.Groups(parameters, config.WeightDecay);
        _ordered = ordered;
        _tensors = ordered.Select(p => p.Tensor).ToArray();
        _adamw = new AdamW(groups, config.Lr, config.Beta1, config.Beta2, config.Eps);
        _gradClip = config.GradClip;
    }

    /// <summary>The optimised parameters, in the optimizer's (and the gradient buckets') order.</summary>
    public IReadOnlyList<Tensor> Parameters => _tensors;

    /// <summary>The learning rate of the next update.</summary>
    public double LearningRate
    {
        get => _adamw.LearningRate;
        set => _adamw.LearningRate = value;
    }

    /// <summary>Updates applied so far (bias correction uses it; skipped steps do not count).</summary>
    public long StepCount => _adamw.StepCount;

    /// <summary>
    /// The global 2-norm of all gradients, before clipping; when <c>grad_clip</c> is set, gradients
    /// are scaled so that their norm is at most that (torch.nn.utils.clip_grad_norm_).
    /// </summary>
    public double ClipGradients() =>
        GradientClipping.ClipGradNorm(_tensors, _gradClip > 0 ? _gradClip : double.MaxValue);

    /// <summary>Replaces each rank's gradients with their mean over all ranks of <paramref name="parallel"/>.</summary>
    public void AverageGradients(DataParallel parallel) => parallel.AverageGradients(_tensors);

    /// <summary>Applies one AdamW update with the accumulated gradients.</summary>
    public void Step() => _adamw.Step();

    /// <summary>Drops all gradients (before the next step's first micro-batch, or after a skipped step).</summary>
    public void ZeroGrad() => _adamw.ZeroGrad(setToNone: true);

    /// <summary>The moments as named tensors (<c>exp_avg.&lt;name&gt;</c>, <c>exp_avg_sq.&lt;name&gt;</c>) and the step count.</summary>
    public IReadOnlyList<SafetensorsPayload> StatePayloads()
    {
        var payloads = new List<SafetensorsPayload>();
        for (var i = 0; i < _ordered.Count; i++)
        {
            payloads.Add(SafetensorsTensors.Payload("exp_avg." + _ordered[i].Name, _adamw.ExpAvg[i]));
            payloads.Add(SafetensorsTensors.Payload("exp_avg_sq." + _ordered[i].Name, _adamw.ExpAvgSq[i]));
        }
        var step = BitConverter.GetBytes(_adamw.StepCount);
        payloads.Add(SafetensorsPayload.FromBytes(StepTensorName, SafetensorsDType.I64, [1], step));
        return payloads;
    }

    /// <summary>Overwrites the moments and the step count from a checkpoint's optimizer file.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape; the message names it.</exception>
    public void Restore(SafetensorsFile file)
    {
        using (new NoGradScope())
        {
            for (var i = 0; i < _ordered.Count; i++)
            {
                file.CopyInto(Required(file, "exp_avg." + _ordered[i].Name), _adamw.ExpAvg[i]);
                file.CopyInto(Required(file, "exp_avg_sq." + _ordered[i].Name), _adamw.ExpAvgSq[i]);
            }
        }
        _adamw.StepCount = BitConverter.ToInt64(file.GetBytes(Required(file, StepTensorName)));
    }

    /// <summary>Frees the moment buffers.</summary>
    public void Dispose() => _adamw.Dispose();

    private static string Required(SafetensorsFile file, string name) => file.Contains(name)
        ? name
        : throw new InvalidDataException($"{file.Path} holds no optimizer tensor '{name}'; the checkpoint is from another model or incomplete.");
}
