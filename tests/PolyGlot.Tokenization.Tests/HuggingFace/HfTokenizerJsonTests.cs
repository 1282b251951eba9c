using PolyGlot.TestSupport;
using PolyGlot.Tokenization.HuggingFace;

namespace PolyGlot.Tokenization.Tests.HuggingFace;

/// <summary>The written tokenizer.json, loaded by Hugging Face's own tokenizers library, against SentencePiece.</summary>
[Collection(TrainedTokenizerCollection.Name)]
public sealed class HfTokenizerJsonTests(TrainedTokenizerFixture trained) : IDisposable
{
    /// <summary>Texts where a tokenizer.json most easily departs from SentencePiece.</summary>
    public static readonly string[] EdgeCases =
    [
        "",
        " ",
        "   leading spaces",
        "trailing spaces   ",
        "runs  of   spaces    between     words",
        "\ttabs\tand\t\ttabs \t mixed with spaces",
        "line\nbreaks\r\nand\u00a0no-break spaces",
        "digits 0 12 345 6789 3.14159 2026-11-29 1,000,000",
        "emoji 👋🏽 🇩🇪 👨‍👩‍👧 😀😀 and ✓ ∑ ∞",
        "<2en> a language tag",
        "<2de>Tag ohne Leerzeichen<2en>and back<2en><2de>",
        "x<2en>y <2de> z",
        "\u2581 a literal lower one eighth block \u2581\u2581word\u2581",
        "mixed スクリプト 한국어 Ελληνικά русский 中文 हिन्दी தமிழ் فارسی",
        "rare characters outside the vocabulary: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ꙮ 𓀀",
        "brackets that are not tags: <2xx> <0x41> <2en <2de>>",
    ];

    private readonly TempDirectory _dir = new();

    public static IEnumerable<object[]> Languages => DemoCorpus.Languages;

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task IdsEqualSentencePiece_When_EveryDemoLineOfALanguageEncoded(string language)
    {
        // Given every training and held-out line of the language, and the exported tokenizer.json
        var lines = DemoCorpus.ReadLines(DemoCorpus.MonoFiles[language])
            .Concat(DemoCorpus.ReadLines(DemoCorpus.HeldOutFile(language))).ToList();
        var json = WriteTokenizerJson();

        // When SentencePiece and Hugging Face tokenizers encode them
        var expected = trained.Tokenizer.EncodeBatch(lines);
        var hf = await HfTokenizers.EncodeAsync(json, lines);

        // Then the ids are equal line for line, and decoding gives each line back
        Assert.Equal(lines.Count, hf.Ids.Length);
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.True(expected[i].SequenceEqual(hf.Ids[i]), $"{language} line {i} differs: {lines[i]}");
            Assert.Equal(lines[i], hf.Decoded[i]);
        }
    }

    [Fact]
    public async Task IdsAndDecodingEqualSentencePiece_When_EdgeCasesEncoded()
    {
        // Given spaces, tabs, digits, emoji, language tags, U+2581 and characters outside the vocabulary
        var json = WriteTokenizerJson();

        // When both encode and decode them
        var hf = await HfTokenizers.EncodeAsync(json, EdgeCases);

        // Then ids and decoded text are SentencePiece's (which decodes a literal U+2581 as a space)
        for (var i = 0; i < EdgeCases.Length; i++)
        {
            var expected = trained.Tokenizer.Encode(EdgeCases[i]);
            Assert.True(expected.SequenceEqual(hf.Ids[i]), $"edge case {i} differs: [{string.Join(",", hf.Ids[i])}] vs [{string.Join(",", expected)}]");
            Assert.Equal(trained.Tokenizer.Decode(expected), hf.Decoded[i]);
        }
    }

    [Fact]
    public async Task LanguageTagsAreSingleTokens_When_Encoded()
    {
        // Given text with a language tag glued to words on both sides
        var json = WriteTokenizerJson();

        // When Hugging Face tokenizers encodes it
        var hf = await HfTokenizers.EncodeAsync(json, ["x<2de>y"]);

        // Then the tag is its own id between the words
        var tag = trained.Tokenizer.PieceToId("<2de>");
        Assert.Contains(tag, hf.Ids[0]);
        Assert.Equal(3, hf.Ids[0].Length);
    }

    [Fact]
    public async Task ContextTokenPrepended_When_EncodedWithSpecialTokens()
    {
        // Given a tokenizer.json whose context token is </s>, as training put it before every document
        var json = WriteTokenizerJson(trained.Tokenizer.Special.EosId);

        // When text is encoded the default way (special tokens added)
        var hf = await HfTokenizers.EncodeAsync(json, ["Open the file.", "Datei öffnen"]);

        // Then </s> comes first and SentencePiece's ids follow
        for (var i = 0; i < 2; i++)
            Assert.Equal([trained.Tokenizer.Special.EosId, .. hf.Ids[i]], hf.IdsWithSpecialTokens[i]);
        Assert.Equal(trained.Tokenizer.Encode("Open the file."), hf.Ids[0]);
    }

    [Fact]
    public async Task NothingAdded_When_NoContextTokenGiven()
    {
        // Given a tokenizer.json written without a context token
        var json = WriteTokenizerJson();

        // When text is encoded with special tokens
        var hf = await HfTokenizers.EncodeAsync(json, ["Open the file."]);

        // Then the ids are the text's alone
        Assert.Equal(hf.Ids[0], hf.IdsWithSpecialTokens[0]);
    }

    public void Dispose() => _dir.Dispose();

    private string WriteTokenizerJson(int? contextTokenId = null)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N") + ".json");
        HfTokenizerJson.Write(trained.Tokenizer, path, contextTokenId);
        return path;
    }
}
