using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Optim;

/// <summary>Global gradient-norm clipping, as <c>torch.nn.utils.clip_grad_norm_</c> does it.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (total + 1e-6)), where total is the 2-norm of all
    /// gradients together, in one native call. Returns the total norm before clipping.
    /// </summary>
    public static unsafe double ClipGradNorm(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        using var scope = DisposeScope.Enter();
        return ClipGradNormOnDevice(parameters, maxNorm).ToDouble();
    }

    /// <summary>
    /// As <see cref="ClipGradNorm"/>, returning the total norm as a float32 0-dim tensor on the
    /// gradients' device, so that nothing waits for the device until the caller reads it.
    /// </summary>
    public static unsafe Tensor ClipGradNormOnDevice(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        if (maxNorm <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be positive.");
        var handles = new nint[parameters.Count];
        for (var i = 0; i < handles.Length; i++)
            handles[i] = parameters[i].Handle;
        fixed (nint* p = handles)
            return Native.Wrap(Native.ClipGradNormTensor(p, handles.Length, maxNorm), nameof(ClipGradNorm));
    }
}
