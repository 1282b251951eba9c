using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Runtime;

/// <summary>
/// The allocator that keeps large CPU tensor blocks (256 KiB and more) after they are freed and
/// hands them out again, so that a training step does not fault in and zero fresh pages for the
/// same tensors every step (docs/training.md, "CPU memory"). It is installed when the native
/// library loads unless the environment has <c>POLYGLOT_CPU_CACHE=off</c>; it holds at most 1.125x
/// the peak of bytes in use (least recently freed blocks go first), and blocks unused for 30 seconds
/// are released.
/// </summary>
public static class CpuTensorCache
{
    /// <summary>Whether libtorch's CPU allocations go through the cache (false: libtorch's own allocator).</summary>
    public static bool Enabled
    {
        get => Native.CpuCacheEnabled() != 0;
        set => Native.Check(Native.CpuCacheEnable(value ? 1 : 0), nameof(Enabled));
    }

    /// <summary>The cache's counters since the library was loaded.</summary>
    public static unsafe CpuTensorCacheStats Stats
    {
        get
        {
            var values = stackalloc long[7];
            Native.Check(Native.CpuCacheStats(values), nameof(Stats));
            return new CpuTensorCacheStats(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
        }
    }

    /// <summary>Frees every cached block now (blocks in use are untouched), e.g. before handing memory to another process.</summary>
    public static void Trim() => Native.Check(Native.CpuCacheTrim(), nameof(Trim));
}

/// <summary>Counters of <see cref="CpuTensorCache"/>: bytes are those of whole blocks (size classes), not of tensors.</summary>
/// <param name="InUseBytes">Blocks handed out and not yet freed.</param>
/// <param name="CachedBytes">Freed blocks kept for reuse.</param>
/// <param name="PeakInUseBytes">The highest <paramref name="InUseBytes"/> so far; what the cache holds stays within 1.125x of it.</param>
/// <param name="Hits">Allocations served from a cached block.</param>
/// <param name="Misses">Allocations that needed a new block.</param>
/// <param name="Released">Cached blocks given back to the system (over the bound, idle, or trimmed).</param>
/// <param name="CachedBlocks">Blocks in <paramref name="CachedBytes"/>.</param>
public readonly record struct CpuTensorCacheStats(
    long InUseBytes, long CachedBytes, long PeakInUseBytes, long Hits, long Misses, long Released, long CachedBlocks)
{
    /// <summary>Bytes the cache holds from the system: in use plus cached.</summary>
    public long HeldBytes => InUseBytes + CachedBytes;
}
