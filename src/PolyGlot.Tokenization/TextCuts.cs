using System.Text;

namespace PolyGlot.Tokenization;

/// <summary>
/// The places where a tokenizer's input can be cut so that the ids of the parts, encoded one by one and put together,
/// are exactly the ids of the whole text: what lets a long document be encoded in pieces of bounded size.
/// Positions are byte offsets into UTF-8 text.
/// </summary>
public abstract class TextCuts
{
    /// <summary>No such place is known: any cut may change the ids next to it.</summary>
    public static TextCuts None { get; } = new NoCuts();

    /// <summary>
    /// Before a space or U+2581 that follows any other character: SentencePiece BPE models whose pieces never continue
    /// across a whitespace symbol, as the native encoder checks before it encodes word by word
    /// (src/PolyGlot.Native/spm/model_spec.cpp gives the argument; <see cref="SentencePieceTokenizer.PieceCacheOffReason"/>
    /// is null for such models).
    /// </summary>
    public static TextCuts BeforeSentencePieceWhitespace { get; } = new SentencePieceWhitespaceCuts();

    /// <summary>
    /// Before a space (U+0020) that follows a character other than white space: byte-level BPE tokenizers whose split
    /// pattern never puts such a space in the same pre-token as the character before it (GPT-2's, Llama 3's, Qwen 2's,
    /// tiktoken's), whose pattern looks neither behind nor tells a space ahead from the end of the text, and none of
    /// whose special tokens holds white space. Merges never cross pre-tokens, so each side encodes alone as it does in
    /// the whole text.
    /// </summary>
    public static TextCuts BeforeSpaceAfterNonWhiteSpace { get; } = new SpaceAfterNonWhiteSpaceCuts();

    /// <summary>
    /// The largest position p with 0 &lt; p &lt;= <paramref name="limit"/> (and p &lt; the text's length) at which
    /// <paramref name="utf8"/> can be cut, or 0 where there is none. <paramref name="utf8"/> must start where the text
    /// starts or at an earlier cut, so that the character before each position is in it.
    /// </summary>
    public abstract int LastCut(ReadOnlySpan<byte> utf8, int limit);

    private sealed class NoCuts : TextCuts
    {
        public override int LastCut(ReadOnlySpan<byte> utf8, int limit) => 0;
    }

    private sealed class SentencePieceWhitespaceCuts : TextCuts
    {
        // U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's whitespace symbol, in UTF-8.
        private static ReadOnlySpan<byte> Meta => [0xE2, 0x96, 0x81];

        public override int LastCut(ReadOnlySpan<byte> utf8, int limit)
        {
            for (var p = Math.Min(limit, utf8.Length - 1); p > 0; p--)
                if (StartsWhitespace(utf8[p..]) && !EndsWhitespace(utf8[..p]))
                    return p;
            return 0;
        }

        private static bool StartsWhitespace(ReadOnlySpan<byte> text) => text[0] == (byte)' ' || text.StartsWith(Meta);

        private static bool EndsWhitespace(ReadOnlySpan<byte> text) => text[^1] == (byte)' ' || text.EndsWith(Meta);
    }

    private sealed class SpaceAfterNonWhiteSpaceCuts : TextCuts
    {
        public override int LastCut(ReadOnlySpan<byte> utf8, int limit)
        {
            for (var p = Math.Min(limit, utf8.Length - 1); p > 0; p--)
                if (utf8[p] == (byte)' ' && !EndsWhiteSpace(utf8[..p]))
                    return p;
            return 0;
        }

        // Rune.IsWhiteSpace is Unicode's White_Space, the set a split pattern's \s matches. Bytes that do not decode are
        // treated as white space: no cut next to them (such a text is refused by the encoder anyway).
        private static bool EndsWhiteSpace(ReadOnlySpan<byte> text) =>
            Rune.DecodeLastFromUtf8(text, out var rune, out _) != System.Buffers.OperationStatus.Done || Rune.IsWhiteSpace(rune);
    }
}
