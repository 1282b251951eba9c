using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Runtime;

/// <summary>Caching-allocator statistics of one CUDA device, in bytes.</summary>
/// <param name="Allocated">Bytes held by live tensors now.</param>
/// <param name="PeakAllocated">Highest <paramref name="Allocated"/> since start or the last reset.</param>
/// <param name="Reserved">Bytes the allocator holds from the driver now.</param>
/// <param name="PeakReserved">Highest <paramref name="Reserved"/> since start or the last reset.</param>
public readonly record struct CudaMemoryStats(long Allocated, long PeakAllocated, long Reserved, long PeakReserved);

/// <summary>CUDA devices as libtorch sees them.</summary>
public static class Cuda
{
    /// <summary>True when libtorch was built with CUDA and a device is usable.</summary>
    public static bool IsAvailable => Native.CudaIsAvailable() != 0;

    /// <summary>Number of usable CUDA devices (0 without CUDA).</summary>
    public static int DeviceCount => (int)Native.CudaDeviceCount();

    /// <summary>True when the native library was compiled against a CUDA-enabled libtorch.</summary>
    public static bool BuiltWithCuda => Native.BuiltWithCuda() != 0;

    /// <summary>Waits for all queued work on <paramref name="deviceIndex"/> (-1: the current device).</summary>
    public static void Synchronize(int deviceIndex = -1) => Native.Check(Native.CudaSynchronize(deviceIndex), nameof(Synchronize));

    /// <summary>Memory statistics of <paramref name="deviceIndex"/>.</summary>
    public static unsafe CudaMemoryStats MemoryStats(int deviceIndex = 0)
    {
        var values = stackalloc long[4];
        Native.Check(Native.CudaMemoryStats(deviceIndex, values), nameof(MemoryStats));
        return new CudaMemoryStats(values[0], values[1], values[2], values[3]);
    }

    /// <summary>Restarts the peak statistics of <paramref name="deviceIndex"/>.</summary>
    public static void ResetPeakMemory(int deviceIndex = 0) => Native.Check(Native.CudaResetPeakMemory(deviceIndex), nameof(ResetPeakMemory));

    /// <summary>Returns cached, unused blocks to the driver (no effect without CUDA).</summary>
    public static void EmptyCache() => Native.Check(Native.CudaEmptyCache(), nameof(EmptyCache));
}
