using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>Whole-model optimizer steps (pg_optim.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_optim_adamw_step")]
    public static partial int AdamWStep(nint* parameters, nint* expAvgs, nint* expAvgSqs, double* weightDecays,
        long count, long step, double lr, double beta1, double beta2, double eps);

    [LibraryImport(Library, EntryPoint = "pg_optim_adamw_fused")]
    public static partial int AdamWFused(int deviceType, int* fused);

    [LibraryImport(Library, EntryPoint = "pg_optim_clip_grad_norm_tensor")]
    public static partial nint ClipGradNormTensor(nint* parameters, long count, double maxNorm);
}
