using System.Text;
using System.Text.Json.Nodes;
using PolyGlot.Tokenization.Imported;

namespace PolyGlot.Tokenization.Tests.Imported;

public sealed class ByteLevelBpeCutsTests(ByteLevelBpeFixture fixture) : IClassFixture<ByteLevelBpeFixture>
{
    // Spaces, runs of them, line ends and tabs between held-out lines and the split patterns' edge cases.
    private static readonly string[] Separators = [" ", "  ", "\n", " \t ", "\r\n ", "   ", "\n\n"];

    private static string Text() => TextPieces.Multilingual(ByteLevelBpeFixture.Texts.Where(t => t.Length > 0), Separators);

    public static TheoryData<string> Tokenizers => ["gpt2", "llama3", "o200k_base.tiktoken"];

    private ITokenizer Load(string name) =>
        TokenizerLoader.Load(name.EndsWith(".tiktoken", StringComparison.Ordinal) ? BpeOracle.TiktokenFile(name[..^".tiktoken".Length]) : fixture.Json(name));

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void PiecesEncodeToTheIdsOfTheWholeText_When_CutAtTheTokenizersCuts(string name)
    {
        // Given held-out text of every demo language and the split patterns' edge cases as one text
        using var tokenizer = Load(name);
        var text = Text();
        Assert.Same(TextCuts.BeforeSpaceAfterNonWhiteSpace, tokenizer.Cuts);

        // When it is cut at the tokenizer's cuts into pieces of about 40 bytes, each encoded alone
        var pieces = TextPieces.Cut(text, tokenizer.Cuts, 40);

        // Then the pieces' ids, put together, are the ids of the whole text, over more than a thousand cuts
        Assert.True(pieces.Count > 1000, $"only {pieces.Count} pieces");
        Assert.Equal(text, string.Concat(pieces));
        Assert.Equal(tokenizer.Encode(text), TextPieces.Encode(tokenizer, pieces));
    }

    [Fact]
    public void NoCutIsOffered_When_TheSplitPatternIsNotOneOfTheKnown()
    {
        // Given the Llama 3 style file with its pattern changed (a space may now end a run of letters)
        var json = JsonNode.Parse(File.ReadAllText(fixture.Json("llama3")))!;
        json["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"] = @"\p{L}+ ?|\p{N}{1,3}|[^\s\p{L}\p{N}]+|\s+";
        var path = fixture.Directory.Write(Path.Combine("other-pattern", "tokenizer.json"), json.ToJsonString());

        // When it is loaded, then it offers no cut
        using var tokenizer = TokenizerLoader.Load(path);
        Assert.Same(TextCuts.None, tokenizer.Cuts);
    }

    [Fact]
    public void NoCutIsOffered_When_ASpecialTokenHoldsASpace()
    {
        // Given the Llama 3 style file with an added token that holds a space, matched before the pattern splits
        var json = JsonNode.Parse(File.ReadAllText(fixture.Json("llama3")))!;
        json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 40_000, ["content"] = "<|start of turn|>", ["special"] = true });
        var path = fixture.Directory.Write(Path.Combine("spaced-special", "tokenizer.json"), json.ToJsonString());

        // When it is loaded, then it offers no cut
        using var tokenizer = TokenizerLoader.Load(path);
        Assert.Same(TextCuts.None, tokenizer.Cuts);
    }

    [Theory]
    [InlineData("ab cd", 4, 2)]             // before the space
    [InlineData("ab  cd", 5, 2)]            // before a run of spaces, not inside it
    [InlineData("ab\t cd", 5, 0)]           // not after white space of another kind
    [InlineData("ab\u00a0 cd", 6, 0)]       // nor after a no-break space (white space to \s)
    [InlineData("né cd", 5, 3)]             // after a character of two bytes
    [InlineData("ab\u2581cd", 6, 0)]        // U+2581 is an ordinary character here
    [InlineData("abcdef", 5, 0)]            // nowhere
    public void CutIsBeforeASpaceAfterNonWhiteSpace_When_AByteLevelTextIsCut(string text, int limit, int expected)
    {
        // When the last cut within the limit is asked for, then it is the expected byte offset
        Assert.Equal(expected, TextCuts.BeforeSpaceAfterNonWhiteSpace.LastCut(Encoding.UTF8.GetBytes(text), limit));
    }
}
