using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Optim;

/// <summary>Parameters that share a weight decay (e.g. no decay for norms and biases).</summary>
/// <param name="Parameters">The tensors to optimise.</param>
/// <param name="WeightDecay">Decoupled weight decay for this group.</param>
public sealed record ParameterGroup(IReadOnlyList<Tensor> Parameters, double WeightDecay);

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) as <c>torch.optim.AdamW</c> computes it, one native call per
/// step over all parameters: libtorch's fused AdamW kernel where the build has it (CUDA from 2.1,
/// CPU from 2.4; <see cref="UsesFusedKernel"/>), multi-tensor (<c>_foreach</c>) kernels otherwise.
/// The moment buffers are created at construction and owned by the optimizer, outside any
/// dispose scope; parameters must outlive it.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly double[] _weightDecays;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;

    /// <summary>One group with a common weight decay.</summary>
    public AdamW(IReadOnlyList<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2)
        : this([new ParameterGroup(parameters, weightDecay)], learningRate, beta1, beta2, eps)
    {
    }

    /// <summary>Several groups, each with its weight decay.</summary>
    public AdamW(IReadOnlyList<ParameterGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8)
    {
        Validate(learningRate, beta1, beta2, eps, groups);
        _parameters = groups.SelectMany(g => g.Parameters).ToArray();
        _weightDecays = groups.SelectMany(g => g.Parameters.Select(_ => g.WeightDecay)).ToArray();
        _expAvg = _parameters.Select(p => NewState(p)).ToArray();
        _expAvgSq = _parameters.Select(p => NewState(p)).ToArray();
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
    }

    /// <summary>Learning rate of the next step (set it per step for a schedule).</summary>
    public double LearningRate { get; set; }

    /// <summary>Exponential decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Exponential decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>Steps taken so far (bias correction uses it; restore it with the moments when resuming).</summary>
    public long StepCount { get; set; }

    /// <summary>The optimised parameters, in group order.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>First-moment buffers, one per parameter (for checkpoints; copy into them to restore).</summary>
    public IReadOnlyList<Tensor> ExpAvg => _expAvg;

    /// <summary>Second-moment buffers, one per parameter.</summary>
    public IReadOnlyList<Tensor> ExpAvgSq => _expAvgSq;

    /// <summary>
    /// Whether <see cref="Step"/> runs libtorch's fused AdamW kernel (<c>_fused_adamw_</c>) for
    /// parameters on devices of this kind, rather than the multi-tensor kernels.
    /// </summary>
    public static unsafe bool UsesFusedKernel(DeviceType deviceType)
    {
        int fused;
        Native.Check(Native.AdamWFused((int)deviceType, &fused), nameof(UsesFusedKernel));
        return fused != 0;
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public unsafe void Step()
    {
        var count = _parameters.Length;
        var handles = new nint[3 * count];
        for (var i = 0; i < count; i++)
        {
            handles[i] = _parameters[i].Handle;
            handles[count + i] = _expAvg[i].Handle;
            handles[2 * count + i] = _expAvgSq[i].Handle;
        }
        StepCount++;
        fixed (nint* h = handles)
        fixed (double* decay = _weightDecays)
        {
            var status = Native.AdamWStep(h, h + count, h + 2 * count, decay, count, StepCount, LearningRate, Beta1, Beta2, Eps);
            if (status < 0)
                StepCount--;
            Native.Check(status, "AdamW.Step");
        }
    }

    /// <summary>Clears the gradients of all parameters.</summary>
    public void ZeroGrad(bool setToNone = true) => Tensor.ZeroGrads(_parameters, setToNone);

    /// <summary>Frees the moment buffers.</summary>
    public void Dispose()
    {
        foreach (var tensor in _expAvg.Concat(_expAvgSq))
            tensor.Dispose();
    }

    private static Tensor NewState(Tensor parameter)
    {
        using var noGrad = new NoGradScope();
        return parameter.ZerosLike().Keep();
    }

    private static void Validate(double learningRate, double beta1, double beta2, double eps, IReadOnlyList<ParameterGroup> groups)
    {
        if (learningRate < 0)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "Learning rate must be >= 0.");
        if (beta1 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (eps < 0)
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be >= 0.");
        foreach (var group in groups)
            if (group.WeightDecay < 0)
                throw new ArgumentOutOfRangeException(nameof(groups), group.WeightDecay, "Weight decay must be >= 0.");
    }
}
