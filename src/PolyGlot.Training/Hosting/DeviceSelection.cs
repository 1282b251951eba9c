using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Training.Hosting;

/// <summary>The device a run trains on, from <c>training.device</c> and the process's place on its node.</summary>
public static class DeviceSelection
{
    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> or <c>auto</c> (CUDA when libtorch sees a GPU); on CUDA the GPU of
    /// this node's rank <paramref name="localRank"/>, or the only visible one when the scheduler
    /// bound one GPU per task (srun --gpus-per-task=1, CUDA_VISIBLE_DEVICES per rank).
    /// </summary>
    /// <exception cref="ArgumentException">CUDA was asked for but is not there, or the node has fewer GPUs than ranks.</exception>
    public static Device Resolve(string name, int localRank = 0) => name switch
    {
        "cpu" => Device.Cpu,
        "cuda" when !Cuda.IsAvailable => throw new ArgumentException(
            "training.device = cuda, but no CUDA device is available to libtorch here; use cpu or auto."),
        "cuda" or "auto" when Cuda.IsAvailable => CudaDeviceOf(localRank),
        _ => Device.Cpu,
    };

    private static Device CudaDeviceOf(int localRank)
    {
        var count = Cuda.DeviceCount;
        if (count == 1)
            return Device.Cuda(0);
        if (localRank >= count)
            throw new ArgumentException(
                $"LOCAL_RANK = {localRank}, but this node has {count} CUDA device(s): start at most {count} ranks per node (one GPU per rank).");
        return Device.Cuda(localRank);
    }
}
