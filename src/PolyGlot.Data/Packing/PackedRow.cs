namespace PolyGlot.Data.Packing;

/// <summary>The destination of one packed sequence: its tokens and per-token annotations.</summary>
public readonly ref struct PackedRow
{
    /// <summary>Creates a row; <paramref name="positionIds"/> and <paramref name="segmentIds"/> may be empty when not wanted.</summary>
    public PackedRow(Span<int> tokens, Span<int> languageIds, Span<int> positionIds, Span<int> segmentIds)
    {
        Tokens = tokens;
        LanguageIds = languageIds;
        PositionIds = positionIds;
        SegmentIds = segmentIds;
    }

    /// <summary>The <c>seq_len + 1</c> tokens.</summary>
    public Span<int> Tokens { get; }

    /// <summary>Language id of every token.</summary>
    public Span<int> LanguageIds { get; }

    /// <summary>Position of every token inside its document (0 at a document start and at the row start), or empty.</summary>
    public Span<int> PositionIds { get; }

    /// <summary>Index of every token's document inside the row (0, 1, 2, ...), or empty.</summary>
    public Span<int> SegmentIds { get; }
}
