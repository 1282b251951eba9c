using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>Losses with their own backward (pg_loss.cpp).</summary>
internal static partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_loss_chunked_cross_entropy")]
    public static partial nint ChunkedCrossEntropy(nint hidden, nint weight, nint targets, long ignoreIndex, long chunk);
}
