using System.Runtime.InteropServices;

namespace PolyGlot.Tokenization.Interop;

/// <summary>P/Invoke declarations for <c>libpolyglot_spm.so</c> (src/PolyGlot.Native/spm/pg_spm.cpp).</summary>
internal static unsafe partial class NativeSpm
{
    private const string Library = "polyglot_spm";

    /// <summary>Returned by the sized-output exports when the caller's buffer is too small.</summary>
    public const int BufferTooSmall = 1;

    [LibraryImport(Library, EntryPoint = "pg_spm_last_error")]
    public static partial nint LastError();

    [LibraryImport(Library, EntryPoint = "pg_spm_set_log_level")]
    public static partial void SetLogLevel(int level);

    [LibraryImport(Library, EntryPoint = "pg_spm_train", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Train(string options, byte* text, long* offsets, long count, string modelPath);

    [LibraryImport(Library, EntryPoint = "pg_spm_piece_score")]
    public static partial int PieceScore(nint handle, int id, float* score);

    [LibraryImport(Library, EntryPoint = "pg_spm_load", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint Load(string path, long cacheBytes);

    [LibraryImport(Library, EntryPoint = "pg_spm_cache_off")]
    public static partial nint CacheOff(nint handle);

    [LibraryImport(Library, EntryPoint = "pg_spm_cache_stats")]
    public static partial int CacheStats(nint handle, long* stats);

    [LibraryImport(Library, EntryPoint = "pg_spm_free")]
    public static partial void Free(nint handle);

    [LibraryImport(Library, EntryPoint = "pg_spm_piece_size")]
    public static partial int PieceSize(nint handle);

    [LibraryImport(Library, EntryPoint = "pg_spm_special_ids")]
    public static partial int SpecialIds(nint handle, int* ids);

    [LibraryImport(Library, EntryPoint = "pg_spm_piece_flags")]
    public static partial int PieceFlags(nint handle, int id);

    [LibraryImport(Library, EntryPoint = "pg_spm_id_to_piece")]
    public static partial nint IdToPiece(nint handle, int id);

    [LibraryImport(Library, EntryPoint = "pg_spm_piece_to_id", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PieceToId(nint handle, string piece);

    [LibraryImport(Library, EntryPoint = "pg_spm_encode_batch_in_slot")]
    public static partial int EncodeBatch(nint handle, long slot, byte* text, long* offsets, long count,
        int* ids, long capacity, long* idOffsets, long* needed);

    [LibraryImport(Library, EntryPoint = "pg_spm_decode")]
    public static partial int Decode(nint handle, int* ids, long count, byte* output, long capacity, long* needed);

    /// <summary>Throws a <see cref="TokenizerException"/> naming <paramref name="operation"/> when <paramref name="status"/> is an error.</summary>
    public static int Check(int status, string operation)
    {
        if (status < 0)
            throw new TokenizerException($"{operation} failed: {Marshal.PtrToStringUTF8(LastError())}");
        return status;
    }
}
