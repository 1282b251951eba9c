using PolyGlot.Torch;
using PolyGlot.Torch.Optim;
using PolyGlot.Torch.Runtime;
using CudaRuntime = PolyGlot.Torch.Runtime.Cuda;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Planning;

/// <summary>
/// The facts about the training device that a plan depends on: CUDA or the CPU, which attention
/// kernel runs, whether AdamW runs libtorch's fused kernel (the multi-tensor one allocates a
/// temporary the size of the moments), and the memory of one device.
/// </summary>
/// <param name="Cuda">The run trains on CUDA (bf16 compute possible, NCCL, byte dropout masks).</param>
/// <param name="Attention">The attention kernel assumed.</param>
/// <param name="FusedAdamW">AdamW runs the fused kernel.</param>
/// <param name="Memory">One device's memory (the host's for CPU runs), when known.</param>
/// <param name="Note">How the kernels were chosen, e.g. <c>as libtorch 1.13.0 runs them here</c>.</param>
public sealed record PlanTarget(bool Cuda, AttentionKernel Attention, bool FusedAdamW, DeviceMemory? Memory, string Note)
{
    /// <summary>
    /// The target of <paramref name="run"/> on this machine: CUDA when <c>training.device</c> is
    /// <c>cuda</c>, or <c>auto</c> with a CUDA device present. A CUDA run planned where libtorch cannot
    /// reach a CUDA device is assumed to get what a CUDA build of libtorch 2.x runs (fused attention and
    /// AdamW). Memory is <paramref name="deviceMemory"/> when given, else cuda:0's for a CUDA run with a
    /// device present, else the host's for a CPU run.
    /// </summary>
    public static PlanTarget Resolve(RunConfig run, long? deviceMemory)
    {
        var cuda = run.Training.Device == "cuda" || (run.Training.Device == "auto" && CudaRuntime.IsAvailable);
        if (cuda && !CudaRuntime.IsAvailable)
            return new PlanTarget(true, AttentionKernel.Fused, FusedAdamW: true, Given(deviceMemory),
                "assumed for a CUDA build of libtorch 2.x: no CUDA device here");
        return Resolve(run, deviceMemory, cuda ? Device.Cuda(0) : Device.Cpu);
    }

    /// <summary>
    /// The target of <paramref name="run"/> on <paramref name="device"/>, with the kernels the loaded
    /// libtorch runs there; memory is <paramref name="deviceMemory"/>, or the device's (the host's for the CPU).
    /// </summary>
    public static PlanTarget Resolve(RunConfig run, long? deviceMemory, Device device) =>
        new(device.IsCuda, AttentionOn(device, run), AdamW.UsesFusedKernel(device.Type), Given(deviceMemory) ?? MemoryOf(device),
            $"as libtorch {TorchRuntime.Version} runs them on {device}");

    private static DeviceMemory? Given(long? bytes) => bytes is { } b ? new DeviceMemory(b, "--device-memory") : null;

    // The kernel libtorch's dispatcher picks for (B, H, T, D) inputs like the run's, with its document mask if any.
    private static AttentionKernel AttentionOn(Device device, RunConfig run)
    {
        using var scope = DisposeScope.Enter();
        var dtype = run.Precision.Compute == PrecisionConfig.Bf16 ? DType.BFloat16 : DType.Float32;
        long D = run.Model.HeadDim, T = 4;
        var q = Tensor.Zeros([1, 1, T, D], dtype, device);
        var mask = run.Data.DocumentBoundaries ? Tensor.Zeros([1, 1, T, T], dtype, device) : null;
        var backend = Functional.ScaledDotProductAttentionBackend(q, q, q, mask, 0, isCausal: mask is null);
        return backend == AttentionBackend.Math ? AttentionKernel.Math : AttentionKernel.Fused;
    }

    private static DeviceMemory MemoryOf(Device device)
    {
        if (device.IsCuda)
        {
            var properties = CudaRuntime.DeviceProperties(Math.Max(device.Index, 0));
            return new DeviceMemory(properties.TotalMemory, $"{device} ({properties.Name})");
        }
        // The GC's figure is the machine's memory or the container's limit, whichever is lower.
        return new DeviceMemory(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, "host memory");
    }
}
