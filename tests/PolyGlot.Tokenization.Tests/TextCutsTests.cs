using System.Text;

namespace PolyGlot.Tokenization.Tests;

[Collection(TrainedTokenizerCollection.Name)]
public sealed class TextCutsTests(TrainedTokenizerFixture trained, TokenizerKindsFixture kinds)
{
    // Spaces, runs of them, SentencePiece's own whitespace symbol U+2581, newlines and tabs between held-out lines.
    private static readonly string[] Separators = [" ", "  ", "\n", " \t", "\u2581", " \u2581 ", "\n\n   ", "\t"];

    private static string HeldOutText() => TextPieces.Multilingual(
        DemoCorpus.MonoFiles.Keys.Order(StringComparer.Ordinal).SelectMany(l => DemoCorpus.ReadLines(DemoCorpus.HeldOutFile(l)).Take(80)),
        Separators);

    [Fact]
    public void PiecesEncodeToTheIdsOfTheWholeText_When_ASentencePieceBpeModelIsCutAtItsCuts()
    {
        // Given held-out text of every demo language, one text, and the BPE model trained on the demo corpus
        var text = HeldOutText();
        var tokenizer = trained.Tokenizer;
        Assert.Same(TextCuts.BeforeSentencePieceWhitespace, tokenizer.Cuts);

        // When it is cut at the model's cuts into pieces of about 48 bytes, each encoded alone
        var pieces = TextPieces.Cut(text, tokenizer.Cuts, 48);

        // Then the pieces' ids, put together, are the ids of the whole text, over more than a thousand cuts
        Assert.True(pieces.Count > 1000, $"only {pieces.Count} pieces");
        Assert.Equal(text, string.Concat(pieces));
        Assert.Equal(tokenizer.Encode(text), TextPieces.Encode(tokenizer, pieces));
    }

    [Fact]
    public void PiecesEncodeToTheIdsOfTheWholeText_When_TheModelHasPiecesOfRunsOfSpaces()
    {
        // Given a BPE model whose vocabulary holds runs of spaces (▁▁▁▁), and text with such runs
        var tokenizer = kinds.Indented;
        Assert.Contains(Enumerable.Range(0, tokenizer.VocabSize), id => tokenizer.IdToPiece(id) == "\u2581\u2581\u2581\u2581");
        var text = HeldOutText().Replace(" ", "    ");

        // When it is cut at the model's cuts, then the pieces' ids put together are the whole text's
        var pieces = TextPieces.Cut(text, tokenizer.Cuts, 48);
        Assert.True(pieces.Count > 1000, $"only {pieces.Count} pieces");
        Assert.Equal(tokenizer.Encode(text), TextPieces.Encode(tokenizer, pieces));
    }

    [Fact]
    public void PiecesEncodeToOtherIds_When_CutAfterTheSpaceInstead()
    {
        // Given the pieces of the held-out text cut at the model's cuts
        var tokenizer = trained.Tokenizer;
        var text = HeldOutText();
        var pieces = TextPieces.Cut(text, tokenizer.Cuts, 48);

        // When each cut is moved one character on, past the space that starts the next piece
        var moved = pieces.Select((p, i) => (i > 0 && p[0] == ' ' ? p[1..] : p) + (i + 1 < pieces.Count && pieces[i + 1][0] == ' ' ? " " : "")).ToList();

        // Then the text is the same but its ids are not: where a text is cut matters, and the cuts are where it does not
        Assert.Equal(text, string.Concat(moved));
        Assert.NotEqual(tokenizer.Encode(text), TextPieces.Encode(tokenizer, moved));
    }

    [Fact]
    public void NoCutIsOffered_When_TheModelIsNotEncodedWordByWord()
    {
        // Given a unigram model and a BPE model trained with split_by_whitespace=false
        // Then neither offers a cut: the first segments the whole text at once, the second has pieces across words
        Assert.Same(TextCuts.None, kinds.Unigram.Cuts);
        Assert.Same(TextCuts.None, kinds.Unsplit.Cuts);
        Assert.Equal(0, kinds.Unigram.Cuts.LastCut("ein Wort und noch eins"u8, 20));
    }

    [Theory]
    [InlineData("ab cd", 4, 2)]           // before the space
    [InlineData("ab  cd", 5, 2)]          // before a run of spaces, not inside it
    [InlineData("ab\u2581cd", 6, 2)]      // before U+2581, SentencePiece's whitespace symbol
    [InlineData("ab \u2581cd", 6, 2)]     // a run that mixes both
    [InlineData("ab\t cd", 5, 3)]         // a tab is no whitespace symbol to SentencePiece
    [InlineData("abcdef", 5, 0)]          // nowhere
    [InlineData(" abc", 3, 0)]            // not at the start
    [InlineData("ab cd ef", 4, 2)]        // the last within the limit, not beyond it
    public void CutIsBeforeTheFirstWhitespaceSymbolOfARun_When_ASentencePieceTextIsCut(string text, int limit, int expected)
    {
        // When the last cut within the limit is asked for, then it is the expected byte offset
        Assert.Equal(expected, TextCuts.BeforeSentencePieceWhitespace.LastCut(Encoding.UTF8.GetBytes(text), limit));
    }
}
