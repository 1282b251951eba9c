namespace PolyGlot.Tokenization;

/// <summary>What the piece caches of a <see cref="SentencePieceTokenizer"/> have done (totals over its encoding threads).</summary>
/// <param name="Pieces">Whitespace-led pieces looked up (pieces longer than 64 bytes are never cached and not counted).</param>
/// <param name="Hits">Pieces whose ids came from a cache.</param>
/// <param name="Bytes">UTF-8 bytes of all text encoded through the caches, cached or not.</param>
/// <param name="HitBytes">Bytes of the pieces whose ids came from a cache.</param>
/// <param name="Resets">Times a full cache was cleared to stay within its bound.</param>
public sealed record PieceCacheStatistics(long Pieces, long Hits, long Bytes, long HitBytes, long Resets)
{
    /// <summary>Share of the encoded bytes whose ids came from a cache (0 when nothing was encoded through one).</summary>
    public double ByteHitRate => Bytes == 0 ? 0 : (double)HitBytes / Bytes;

    /// <summary>Share of looked-up pieces found in a cache.</summary>
    public double PieceHitRate => Pieces == 0 ? 0 : (double)Hits / Pieces;
}
