namespace PolyGlot.Tokenization;

/// <summary>What the piece caches of a <see cref="SentencePieceTokenizer"/> have done (totals over its encoding threads).</summary>
/// <param name="Pieces">Whitespace-led pieces looked up (pieces longer than 64 bytes are never cached and not counted).</param>
/// <param name="Hits">Pieces whose ids came from a cache: the thread's own or, after a miss there, the shared one.</param>
/// <param name="Bytes">UTF-8 bytes of all text encoded through the caches, cached or not.</param>
/// <param name="HitBytes">Bytes of the pieces whose ids came from a cache (either level).</param>
/// <param name="Resets">Times a thread's full cache was cleared to stay within its bound.</param>
/// <param name="SharedHits">Of <paramref name="Hits"/>, the pieces missed by the thread's own cache and found in the shared one.</param>
/// <param name="SharedHitBytes">Bytes of those pieces.</param>
/// <param name="SharedResets">Times a full shard of the shared cache was cleared to stay within its bound.</param>
public sealed record PieceCacheStatistics(
    long Pieces, long Hits, long Bytes, long HitBytes, long Resets, long SharedHits, long SharedHitBytes, long SharedResets)
{
    /// <summary>Share of the encoded bytes whose ids came from a cache, either level (0 when nothing was encoded through one).</summary>
    public double ByteHitRate => Bytes == 0 ? 0 : (double)HitBytes / Bytes;

    /// <summary>Share of the encoded bytes whose ids came from the shared cache (included in <see cref="ByteHitRate"/>).</summary>
    public double SharedByteHitRate => Bytes == 0 ? 0 : (double)SharedHitBytes / Bytes;

    /// <summary>Share of looked-up pieces found in a cache, either level.</summary>
    public double PieceHitRate => Pieces == 0 ? 0 : (double)Hits / Pieces;
}
