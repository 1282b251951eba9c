using PolyGlot.TestSupport;
using PolyGlot.Tokenization.Imported;

namespace PolyGlot.Tokenization.Tests.Imported;

/// <summary>A byte-level BPE trained by Hugging Face tokenizers on demo text, in GPT-2, Llama 3 and Qwen style.</summary>
public sealed class ByteLevelBpeFixture : IDisposable
{
    public ByteLevelBpeFixture()
    {
        var corpus = Directory.File("corpus.txt");
        // The edge cases join the training text so that every byte they hold is in the vocabulary
        // (a trained byte-level BPE only knows the bytes it saw) and decoding can be lossless.
        File.WriteAllLines(corpus, DemoCorpus.MonoFiles.Values.SelectMany(f => DemoCorpus.ReadLines(f).Take(400)).Concat(EdgeCases));
        BpeOracle.Train(corpus, Directory.Path);
    }

    public TempDirectory Directory { get; } = new();

    public string Json(string style) => Directory.File(Path.Combine(style, "tokenizer.json"));

    /// <summary>Held-out lines of every demo language (text the merges were not trained on) and edge cases of the split patterns.</summary>
    public static IReadOnlyList<string> Texts { get; } =
    [
        .. DemoCorpus.MonoFiles.Keys.Order(StringComparer.Ordinal).SelectMany(l => DemoCorpus.ReadLines(DemoCorpus.HeldOutFile(l)).Take(60)),
        .. EdgeCases,
        "",
    ];

    private static string[] EdgeCases =>
    [
        "I'll pay 1234567 dollars, won't you?  Yes!!\n\n\tTabs   and   spaces   ",
        "CAFÉ café cafe\u0301 — naïve façade; 3.14159e10",
        "emoji 🙂👍🏽 and \u200bzero-width, \r\n windows line",
    ];

    public void Dispose() => Directory.Dispose();
}

public sealed class ByteLevelBpeTokenizerTests(ByteLevelBpeFixture fixture) : IClassFixture<ByteLevelBpeFixture>
{
    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama3")]
    public void IdsEqualHuggingFaceTokenizers_When_TokenizerJsonLoaded(string style)
    {
        // Given a byte-level BPE tokenizer.json in GPT-2, Llama 3 (Split regex) or Qwen (Split regex, NFC) style
        using var tokenizer = TokenizerLoader.Load(fixture.Json(style));
        // When held-out text in every demo language and edge cases are encoded by us and by Hugging Face tokenizers
        var texts = ByteLevelBpeFixture.Texts;
        var expected = BpeOracle.Encode(fixture.Json(style), texts);
        var ours = tokenizer.EncodeBatch(texts, 2);
        using var batch = new TokenBatch();
        tokenizer.EncodeBatch(texts, batch, 2);
        // Then every text gets the same ids, in arrays and in a token batch
        var differing = Enumerable.Range(0, texts.Count).Where(i => !ours[i].SequenceEqual(expected[i])).ToList();
        Assert.True(differing.Count == 0, Describe(differing, texts, ours, expected));
        Assert.Equal(ours, batch.ToArrays());
        Assert.Equal(ours, tokenizer.EncodeBatch(texts, maxDegreeOfParallelism: 0));
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama3")]
    public void DecodeGivesBackTheText_When_Encoded(string style)
    {
        // Given a loaded byte-level BPE tokenizer
        using var tokenizer = TokenizerLoader.Load(fixture.Json(style));
        // When each text is encoded and decoded, then it comes back unchanged (byte level: lossless)
        foreach (var text in ByteLevelBpeFixture.Texts)
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void SpecialIdsAndVocabularyComeFromTheFile_When_Loaded()
    {
        // Given the Llama 3 style file, whose added tokens include <|end_of_text|> and <|endoftext|>
        using var tokenizer = TokenizerLoader.Load(fixture.Json("llama3"));
        // Then the end-of-text token is found, and the vocabulary counts the added tokens
        Assert.Equal(30_000, tokenizer.Special.EosId);
        Assert.Equal(30_003, tokenizer.VocabSize);
        Assert.Equal("<|end_of_text|>", tokenizer.IdToPiece(30_002));
    }

    [Fact]
    public void RefusedNamingTheNormalizer_When_NfcCannotBeAppliedInThisBuild()
    {
        // Given the Qwen-style file (NFC normalizer) and a process built with invariant globalization, as PolyGlot is
        Assert.Equal("e\u0301", "e\u0301".Normalize());
        // When it is loaded, then it is refused naming normalizer.type rather than encoded without NFC
        var error = Assert.Throws<TokenizerException>(() => TokenizerLoader.Load(fixture.Json("qwen")));
        Assert.Contains("normalizer.type is NFC", error.Message);
    }

    [Fact]
    public void RefusedNamingTheKey_When_ModelIsNotBpe()
    {
        // Given a tokenizer.json whose model is WordPiece
        var path = fixture.Directory.Write(Path.Combine("wordpiece", "tokenizer.json"), """{"model": {"type": "WordPiece", "vocab": {}}}""");
        // When it is loaded, then the refusal names model.type
        var error = Assert.Throws<TokenizerException>(() => TokenizerLoader.Load(path));
        Assert.Contains("model.type", error.Message);
    }

    [Fact]
    public void IdsEqualGptTokenizer_When_O200kTiktokenFileLoaded()
    {
        // Given the o200k_base rank file gpt-tokenizer ships
        using var tokenizer = TokenizerLoader.Load(BpeOracle.TiktokenFile("o200k_base"));
        // When text in every demo language is encoded by Microsoft.ML.Tokenizers and by gpt-tokenizer
        var texts = ByteLevelBpeFixture.Texts;
        var expected = BpeOracle.Tiktoken("o200k_base", texts);
        var ours = tokenizer.EncodeBatch(texts, 2);
        // Then the ids agree, and the end-of-text id is o200k's
        var differing = Enumerable.Range(0, texts.Count).Where(i => !ours[i].SequenceEqual(expected[i])).ToList();
        Assert.True(differing.Count == 0, Describe(differing, texts, ours, expected));
        Assert.Equal(199_999, tokenizer.Special.EosId);
    }

    private static string Describe(List<int> differing, IReadOnlyList<string> texts, int[][] ours, int[][] expected) =>
        differing.Count == 0 ? "" : $"{differing.Count} of {texts.Count} texts differ; first '{texts[differing[0]]}': ours [{string.Join(",", ours[differing[0]])}], reference [{string.Join(",", expected[differing[0]])}]";
}
