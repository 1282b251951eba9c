using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Runtime;

/// <summary>
/// Counts the bytes of CPU tensor memory that libtorch's allocator hands out on the calling thread
/// while it is alive (the hook behind <c>torch.profiler(profile_memory=True)</c>): the net bytes
/// allocated since it started and their peak. Memory allocated before it started is not counted when
/// freed. Dispose it on the thread that created it; while a second one is alive on that thread,
/// only the second counts.
/// </summary>
public sealed class CpuMemoryTracker : IDisposable
{
    private nint _handle;

    private CpuMemoryTracker(nint handle) => _handle = handle;

    /// <summary>Starts tracking on the calling thread.</summary>
    public static unsafe CpuMemoryTracker Start()
    {
        nint handle;
        Native.Check(Native.CpuMemoryTrackBegin(&handle), nameof(Start));
        return new CpuMemoryTracker(handle);
    }

    /// <summary>Bytes allocated and not yet freed since the start.</summary>
    public long CurrentBytes => Read().Current;

    /// <summary>The highest <see cref="CurrentBytes"/> since the start.</summary>
    public long PeakBytes => Read().Peak;

    /// <summary>Stops tracking (the counts read before stay valid in the caller's hands).</summary>
    public void Dispose()
    {
        if (_handle == 0)
            return;
        Native.Check(Native.CpuMemoryTrackEnd(_handle), nameof(Dispose));
        _handle = 0;
    }

    private unsafe (long Current, long Peak) Read()
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        var values = stackalloc long[2];
        Native.Check(Native.CpuMemoryTrackRead(_handle, values), "CpuMemoryTracker.Read");
        return (values[0], values[1]);
    }
}
