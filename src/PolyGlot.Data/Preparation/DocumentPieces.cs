using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// Cuts documents longer than a bound into pieces that the tokenizer encodes one by one, so that encoding a document
/// takes memory in proportion to a piece, not to the document (docs/data-preparation.md, "Long documents"). A cut goes
/// to the last place within the bound where the tokenizer's ids do not change (<see cref="ITokenizer.Cuts"/>); where
/// there is none (a run of one letter, a tokenizer that knows no such place), a forced cut, next to which the ids may
/// differ from those of the whole document: before the last space within the bound that follows another character,
/// else at the last character boundary.
/// </summary>
internal sealed class DocumentPieces
{
    /// <summary>Smallest bound: a forced cut must leave a whole character (up to 4 bytes of UTF-8) before it.</summary>
    public const int MinMaxBytes = 4;

    private readonly TextCuts _cuts;
    private readonly int _maxBytes;

    public DocumentPieces(TextCuts cuts, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, MinMaxBytes);
        (_cuts, _maxBytes) = (cuts, maxBytes);
    }

    /// <summary>Most UTF-8 bytes in one piece.</summary>
    public int MaxBytes => _maxBytes;

    /// <summary>Appends <paramref name="utf8"/> to <paramref name="texts"/> as pieces of at most <see cref="MaxBytes"/>; returns its forced cuts.</summary>
    public int Add(Utf8TextBatch texts, ReadOnlySpan<byte> utf8)
    {
        var forced = 0;
        if (utf8.Length > _maxBytes)
            texts.EnsureRoom(utf8.Length);
        while (utf8.Length > _maxBytes)
        {
            var cut = _cuts.LastCut(utf8, _maxBytes);
            if (cut == 0)
            {
                cut = ForcedCut(utf8, _maxBytes);
                forced++;
            }
            texts.Add(utf8[..cut]);
            utf8 = utf8[cut..];
        }
        texts.Add(utf8);
        return forced;
    }

    // Before a word where there is one: tokenizers that know no exact cut, unigram models among them, still mostly start
    // their pieces at words, so the ids rarely change there.
    private static int ForcedCut(ReadOnlySpan<byte> utf8, int limit)
    {
        var cut = TextCuts.BeforeSpaceAfterNonWhiteSpace.LastCut(utf8, limit);
        return cut > 0 ? cut : CharacterBoundary(utf8, limit);
    }

    // The last position at or before limit that is not inside a UTF-8 sequence (whose continuation bytes, 10xxxxxx, are
    // at most three). A document that came as a .NET string is cut as UTF-8 too, so a surrogate pair (one 4-byte
    // sequence) is never cut. Text that is not UTF-8 may be cut anywhere: the encoder refuses it.
    private static int CharacterBoundary(ReadOnlySpan<byte> utf8, int limit)
    {
        var cut = limit;
        while (cut > limit - 3 && (utf8[cut] & 0xC0) == 0x80)
            cut--;
        return cut;
    }
}
