namespace PolyGlot.Data.Packing;

/// <summary>
/// Packs a stream of eos-terminated documents into rows of <c>seq_len + 1</c> tokens (inputs are
/// the first <c>seq_len</c>, targets the last <c>seq_len</c>). Rows do not overlap and a document
/// that does not fit continues at the start of the stream's next row, so every token is used
/// exactly once; the carry-over is the stream's position inside its current document.
/// </summary>
public sealed class SequencePacker
{
    /// <summary>Creates a packer for sequences of <paramref name="sequenceLength"/> input tokens.</summary>
    public SequencePacker(int sequenceLength, bool documentBoundaries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        SequenceLength = sequenceLength;
        DocumentBoundaries = documentBoundaries;
    }

    /// <summary>Input tokens per sequence (<c>seq_len</c>).</summary>
    public int SequenceLength { get; }

    /// <summary>Tokens per packed row: <c>seq_len + 1</c>.</summary>
    public int RowLength => SequenceLength + 1;

    /// <summary>Whether rows carry position ids and segment ids that restart at document boundaries.</summary>
    public bool DocumentBoundaries { get; }

    /// <summary>
    /// Fills <paramref name="row"/> from <paramref name="stream"/> and adds the tokens taken to
    /// <paramref name="tokensPerLanguage"/> (indexed by language id).
    /// </summary>
    public void Fill(ITokenStream stream, PackedRow row, Span<long> tokensPerLanguage)
    {
        var filled = 0;
        var position = 0;
        var segment = -1;
        while (filled < RowLength)
        {
            var chunk = stream.Next(RowLength - filled);
            var n = chunk.Tokens.Length;
            chunk.Tokens.CopyTo(row.Tokens[filled..]);
            row.LanguageIds.Slice(filled, n).Fill(chunk.LanguageId);
            tokensPerLanguage[chunk.LanguageId] += n;
            if (DocumentBoundaries)
            {
                if (chunk.StartsDocument || segment < 0)
                {
                    position = 0;
                    segment++;
                }
                row.SegmentIds.Slice(filled, n).Fill(segment);
                var positions = row.PositionIds.Slice(filled, n);
                for (var k = 0; k < n; k++)
                    positions[k] = position++;
            }
            filled += n;
        }
    }

    /// <summary>
    /// Advances <paramref name="stream"/> past one row without reading its tokens (a row that
    /// belongs to another data-parallel rank), counting its tokens per language.
    /// </summary>
    public void Skip(ITokenStream stream, Span<long> tokensPerLanguage)
    {
        var taken = 0;
        while (taken < RowLength)
        {
            var (count, languageId) = stream.Skip(RowLength - taken);
            tokensPerLanguage[languageId] += count;
            taken += count;
        }
    }
}
