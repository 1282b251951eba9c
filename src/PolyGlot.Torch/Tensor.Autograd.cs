using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor (settable on leaves).</summary>
    public bool RequiresGrad
    {
        get => Native.RequiresGrad(Handle) != 0;
        set => Native.Check(Native.SetRequiresGrad(Handle, value ? 1 : 0), nameof(RequiresGrad), this);
    }

    /// <summary>True for tensors created by the user rather than by a recorded operation.</summary>
    public bool IsLeaf => Native.IsLeaf(Handle) != 0;

    /// <summary>
    /// The accumulated gradient, or null. Each read returns a new handle to the same gradient
    /// (owned by the current dispose scope, like any result).
    /// </summary>
    public unsafe Tensor? Grad
    {
        get
        {
            nint grad;
            Native.Check(Native.Grad(Handle, &grad), nameof(Grad), this);
            return Native.WrapOptional(grad);
        }
        set => Native.Check(Native.SetGrad(Handle, value?.Handle ?? 0), nameof(Grad), this);
    }

    /// <summary>
    /// Back-propagates from this tensor, accumulating gradients into leaves that require them.
    /// <paramref name="gradient"/> is needed unless this tensor has one element.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Native.Check(Native.Backward(Handle, gradient?.Handle ?? 0, retainGraph ? 1 : 0), nameof(Backward), this);

    /// <summary>The same values, cut from the autograd graph (shares storage).</summary>
    public Tensor Detach() => Native.Wrap(Native.Detach(Handle), nameof(Detach), this);

    /// <summary>Clears (or zeroes) the gradients of all <paramref name="tensors"/> in one native call.</summary>
    public static unsafe void ZeroGrads(IReadOnlyList<Tensor> tensors, bool setToNone = true)
    {
        var handles = new nint[tensors.Count];
        for (var i = 0; i < handles.Length; i++)
            handles[i] = tensors[i].Handle;
        fixed (nint* p = handles)
            Native.Check(Native.ZeroGrads(p, handles.Length, setToNone ? 1 : 0), nameof(ZeroGrads));
    }
}
