using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>The caching allocator for large CPU tensors (pg_cpu_cache.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_cpu_cache_enable")]
    public static partial int CpuCacheEnable(int on);

    [LibraryImport(Library, EntryPoint = "pg_cpu_cache_enabled")]
    public static partial int CpuCacheEnabled();

    [LibraryImport(Library, EntryPoint = "pg_cpu_cache_trim")]
    public static partial int CpuCacheTrim();

    [LibraryImport(Library, EntryPoint = "pg_cpu_cache_stats")]
    public static partial int CpuCacheStats(long* output);
}
