using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Runtime;

/// <summary>Caching-allocator statistics of one CUDA device, in bytes.</summary>
/// <param name="Allocated">Bytes held by live tensors now.</param>
/// <param name="PeakAllocated">Highest <paramref name="Allocated"/> since start or the last reset.</param>
/// <param name="Reserved">Bytes the allocator holds from the driver now.</param>
/// <param name="PeakReserved">Highest <paramref name="Reserved"/> since start or the last reset.</param>
public readonly record struct CudaMemoryStats(long Allocated, long PeakAllocated, long Reserved, long PeakReserved);

/// <summary>What one CUDA device is.</summary>
/// <param name="Index">Device index (<c>cuda:N</c>).</param>
/// <param name="Name">The driver's name, e.g. <c>NVIDIA H100 80GB HBM3</c>.</param>
/// <param name="TotalMemory">Device memory in bytes.</param>
/// <param name="Major">Compute capability, major part (9 for Hopper).</param>
/// <param name="Minor">Compute capability, minor part.</param>
/// <param name="Multiprocessors">Streaming multiprocessor count.</param>
public sealed record CudaDeviceProperties(int Index, string Name, long TotalMemory, int Major, int Minor, int Multiprocessors)
{
    /// <summary>Compute capability as <c>major.minor</c>, e.g. <c>9.0</c>.</summary>
    public string ComputeCapability => $"{Major}.{Minor}";

    /// <summary>bf16 tensor-core math: compute capability 8.0 (Ampere) or later, as torch.cuda.is_bf16_supported decides.</summary>
    public bool SupportsBf16 => Major >= 8;
}

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

    /// <summary>Name, memory and compute capability of <paramref name="deviceIndex"/>; throws when the shim has no CUDA.</summary>
    public static unsafe CudaDeviceProperties DeviceProperties(int deviceIndex = 0)
    {
        const int capacity = 256;  // cudaDeviceProp::name is char[256]
        var name = stackalloc byte[capacity];
        var values = stackalloc long[4];
        Native.Check(Native.CudaDeviceProperties(deviceIndex, name, capacity, values), nameof(DeviceProperties));
        var text = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)name) ?? "";
        return new CudaDeviceProperties(deviceIndex, text, values[0], (int)values[1], (int)values[2], (int)values[3]);
    }

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
