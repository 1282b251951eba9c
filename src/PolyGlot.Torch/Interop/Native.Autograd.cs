using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>Autograd and grad mode (pg_autograd.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_autograd_requires_grad")]
    [SuppressGCTransition]
    public static partial int RequiresGrad(nint t);

    [LibraryImport(Library, EntryPoint = "pg_autograd_set_requires_grad")]
    public static partial int SetRequiresGrad(nint t, int value);

    [LibraryImport(Library, EntryPoint = "pg_autograd_is_leaf")]
    [SuppressGCTransition]
    public static partial int IsLeaf(nint t);

    [LibraryImport(Library, EntryPoint = "pg_autograd_backward")]
    public static partial int Backward(nint t, nint gradient, int retainGraph);

    [LibraryImport(Library, EntryPoint = "pg_autograd_grad")]
    public static partial int Grad(nint t, nint* output);

    [LibraryImport(Library, EntryPoint = "pg_autograd_set_grad")]
    public static partial int SetGrad(nint t, nint grad);

    [LibraryImport(Library, EntryPoint = "pg_autograd_zero_grads")]
    public static partial int ZeroGrads(nint* tensors, long count, int setToNone);

    [LibraryImport(Library, EntryPoint = "pg_autograd_detach")]
    public static partial nint Detach(nint t);

    [LibraryImport(Library, EntryPoint = "pg_autograd_grad_enabled")]
    [SuppressGCTransition]
    public static partial int GradEnabled();

    [LibraryImport(Library, EntryPoint = "pg_autograd_set_grad_enabled")]
    [SuppressGCTransition]
    public static partial void SetGradEnabled(int enabled);
}
