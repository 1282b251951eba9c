using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>Versions, RNG, CUDA, CPU memory tracking and thread pools (pg_runtime.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_torch_version")]
    public static partial nint TorchVersion();

    [LibraryImport(Library, EntryPoint = "pg_torch_host_reads")]
    public static partial long HostReads();

    [LibraryImport(Library, EntryPoint = "pg_torch_built_with_cuda")]
    public static partial int BuiltWithCuda();

    [LibraryImport(Library, EntryPoint = "pg_rng_manual_seed")]
    public static partial int ManualSeed(ulong seed);

    [LibraryImport(Library, EntryPoint = "pg_rng_get_state")]
    public static partial nint RngGetState(int deviceType, int deviceIndex);

    [LibraryImport(Library, EntryPoint = "pg_rng_set_state")]
    public static partial int RngSetState(int deviceType, int deviceIndex, nint state);

    [LibraryImport(Library, EntryPoint = "pg_cuda_is_available")]
    public static partial int CudaIsAvailable();

    [LibraryImport(Library, EntryPoint = "pg_cuda_device_count")]
    public static partial long CudaDeviceCount();

    [LibraryImport(Library, EntryPoint = "pg_cuda_synchronize")]
    public static partial int CudaSynchronize(long deviceIndex);

    [LibraryImport(Library, EntryPoint = "pg_cuda_device_properties")]
    public static partial int CudaDeviceProperties(int deviceIndex, byte* name, int nameCapacity, long* output);

    [LibraryImport(Library, EntryPoint = "pg_cuda_memory_stats")]
    public static partial int CudaMemoryStats(int deviceIndex, long* output);

    [LibraryImport(Library, EntryPoint = "pg_cuda_reset_peak_memory")]
    public static partial int CudaResetPeakMemory(int deviceIndex);

    [LibraryImport(Library, EntryPoint = "pg_cuda_empty_cache")]
    public static partial int CudaEmptyCache();

    [LibraryImport(Library, EntryPoint = "pg_cpu_memory_track_begin")]
    public static partial int CpuMemoryTrackBegin(nint* handle);

    [LibraryImport(Library, EntryPoint = "pg_cpu_memory_track_read")]
    public static partial int CpuMemoryTrackRead(nint handle, long* output);

    [LibraryImport(Library, EntryPoint = "pg_cpu_memory_track_end")]
    public static partial int CpuMemoryTrackEnd(nint handle);

    [LibraryImport(Library, EntryPoint = "pg_threads_set")]
    public static partial int ThreadsSet(int count);

    [LibraryImport(Library, EntryPoint = "pg_threads_get")]
    public static partial int ThreadsGet();

    [LibraryImport(Library, EntryPoint = "pg_threads_set_interop")]
    public static partial int ThreadsSetInterop(int count);

    [LibraryImport(Library, EntryPoint = "pg_threads_get_interop")]
    public static partial int ThreadsGetInterop();
}
