using PolyGlot.TestSupport;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests.Training;

/// <summary>A base tokenizer of four European languages, extended by 300 pieces for Tamil and Hindi.</summary>
public sealed class ExtendedTokenizerFixture : IDisposable
{
    public static readonly string[] Targets = ["hi", "ta"];

    public ExtendedTokenizerFixture()
    {
        var config = new TokenizerTrainingConfig { VocabSize = 1500, MaxSentences = 4000, Threads = 2, CharacterCoverage = 0.9995 };
        TokenizerTrainer.Train(config, Corpus(["en", "de", "fr", "es"]), Directory.File("base"));
        BasePath = Directory.File(Path.Combine("base", TokenizerTrainer.ModelFileName));
        config.VocabSize = 1200;
        Summary = VocabularyExtender.Extend(BasePath, config, Corpus(Targets), 300, Directory.File("extended"));
        Base = SentencePieceTokenizer.Load(BasePath);
        Extended = SentencePieceTokenizer.Load(Summary.ModelPath);
    }

    public TempDirectory Directory { get; } = new();

    public string BasePath { get; }

    public ExtensionSummary Summary { get; }

    public SentencePieceTokenizer Base { get; }

    public SentencePieceTokenizer Extended { get; }

    public static IEnumerable<string> HeldOut(string language) => DemoCorpus.ReadLines(DemoCorpus.HeldOutFile(language)).Take(200);

    public void Dispose()
    {
        Base.Dispose();
        Extended.Dispose();
        Directory.Dispose();
    }

    private static List<LanguageText> Corpus(IEnumerable<string> languages) =>
        languages.Select(l => new LanguageText(l, () => DemoCorpus.ReadLines(DemoCorpus.MonoFiles[l]).Take(3000))).ToList();
}

public sealed class VocabularyExtenderTests(ExtendedTokenizerFixture fixture) : IClassFixture<ExtendedTokenizerFixture>
{
    [Fact]
    public void EveryBaseIdKeepsItsPiece_When_Extended()
    {
        // Given the base tokenizer and its extension
        // Then every base id has the same piece, and the extension adds exactly the reported pieces after them
        Assert.Equal(300, fixture.Summary.Added.Count);
        Assert.Equal(fixture.Base.VocabSize + 300, fixture.Extended.VocabSize);
        for (var id = 0; id < fixture.Base.VocabSize; id++)
            Assert.Equal(fixture.Base.IdToPiece(id), fixture.Extended.IdToPiece(id));
        for (var i = 0; i < fixture.Summary.Added.Count; i++)
            Assert.Equal(fixture.Summary.Added[i], fixture.Extended.IdToPiece(fixture.Base.VocabSize + i));
    }

    [Theory]
    [InlineData("hi")]
    [InlineData("ta")]
    public void TargetTextTakesFewerTokens_When_Extended(string language)
    {
        // Given held-out text of a target language
        var texts = ExtendedTokenizerFixture.HeldOut(language).ToList();
        // When it is encoded with the base and the extended tokenizer
        var before = texts.Sum(t => fixture.Base.Encode(t).Length);
        var after = texts.Sum(t => fixture.Extended.Encode(t).Length);
        // Then the extension needs at least a fifth fewer tokens
        Assert.True(after < 0.8 * before, $"{language}: {after} tokens extended vs {before} base");
    }

    [Fact]
    public void OtherLanguagesKeepTheirTokenCount_When_Extended()
    {
        // Given held-out English and German text
        var texts = ExtendedTokenizerFixture.HeldOut("en").Concat(ExtendedTokenizerFixture.HeldOut("de")).ToList();
        // When it is encoded with both tokenizers, then the extension takes no more tokens than the base
        Assert.True(texts.Sum(t => fixture.Extended.Encode(t).Length) <= texts.Sum(t => fixture.Base.Encode(t).Length));
    }

    [Theory]
    [InlineData("hi")]
    [InlineData("ta")]
    [InlineData("en")]
    public void DecodeGivesBackTheText_When_ExtendedEncodes(string language)
    {
        // Given held-out text, when encoded and decoded with the extension, then it comes back unchanged
        foreach (var text in ExtendedTokenizerFixture.HeldOut(language))
            Assert.Equal(text, fixture.Extended.Decode(fixture.Extended.Encode(text)));
    }

    [Fact]
    public void RefusedNamingTheSetting_When_TheConfigTrainsUnigram()
    {
        // Given a data config whose tokenizer section trains unigram models
        var training = new TokenizerTrainingConfig { ModelType = "unigram" };

        // When the BPE base is extended with it, then the error names model_type
        var error = Assert.Throws<TokenizerException>(() => VocabularyExtender.Extend(fixture.BasePath, training,
            [new LanguageText("ta", () => ["x"])], 10, fixture.Directory.File("unigram")));
        Assert.Contains("model_type", error.Message);
    }

    [Fact]
    public void RefusedNamingTheFile_When_BaseIsNotASentencePieceModel()
    {
        // Given a file that is not a SentencePiece model
        var path = fixture.Directory.Write("not-a-model.model", "{\"model\": {}}");
        // When it is extended, then the error names the problem
        var error = Assert.ThrowsAny<TokenizerException>(() => VocabularyExtender.Extend(path, new TokenizerTrainingConfig(),
            [new LanguageText("ta", () => ["x"])], 10, fixture.Directory.File("bad")));
        Assert.Contains("SentencePiece", error.Message);
    }
}
