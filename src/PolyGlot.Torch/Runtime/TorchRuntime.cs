using System.Runtime.InteropServices;
using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Runtime;

/// <summary>Process-wide facts and settings of the libtorch the native library was built against.</summary>
public static class TorchRuntime
{
    /// <summary>libtorch's version, e.g. <c>1.13.0</c>.</summary>
    public static string Version => Marshal.PtrToStringUTF8(Native.TorchVersion()) ?? "unknown";

    /// <summary>
    /// Copies of tensor data into host memory so far (reading an element, copying into a managed
    /// array), over all threads. On a GPU each waits for the device; the trainer reads at most one
    /// per step outside logging steps, and tests hold it to that through this count.
    /// </summary>
    public static long HostReads => Native.HostReads();

    /// <summary>Threads of libtorch's intra-op pool (OpenMP); parallel kernels use up to this many.</summary>
    public static int Threads
    {
        get => Native.ThreadsGet();
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Thread count must be >= 1.");
            Native.Check(Native.ThreadsSet(value), nameof(Threads));
        }
    }

    /// <summary>Threads of the inter-op pool; libtorch accepts a new value only before its first inter-op work.</summary>
    public static int InteropThreads
    {
        get => Native.ThreadsGetInterop();
        set => Native.Check(Native.ThreadsSetInterop(value), nameof(InteropThreads));
    }
}
