using System.Text.Json.Nodes;
using PolyGlot.Model.Configuration;
using PolyGlot.TestSupport;
using PolyGlot.Training.Export;
using PolyGlot.Training.Inference;

namespace PolyGlot.Training.Tests.Export;

/// <summary>
/// A Hugging Face user scoring the usual way (the config's bos before the ids, or the tokenizer
/// adding it) gets <c>polyglot score</c>'s log-probabilities, from the independent reference.
/// </summary>
[Collection(ExportCollection.Name)]
public sealed class HfContextTokenTests(ExportFixture fixture)
{
    /// <summary>fp32 log-probabilities of two implementations of the same model, absolute.</summary>
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(ModelConfig.PolyLmLayout)]
    [InlineData(ModelConfig.LlamaLayout)]
    public void ReferenceEqualsScore_When_ConfigBosPrependedToIds(string layout)
    {
        // Given an exported model
        using var model = ExportFixture.RandomModel(layout == ModelConfig.LlamaLayout ? fixture.Llama() : fixture.PolyLm());
        var folder = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("bos-" + layout)).Directory;
        var bos = ReadInt(folder, "config.json", "bos_token_id");

        // When the reference scores [bos_token_id] + ids of each text
        var sequences = ExportFixture.Texts.Select(t => new[] { bos }.Concat(fixture.Tokenizer.Encode(t)).ToArray()).ToList();
        var reference = ExportFixture.ReferenceLogProbs(folder, sequences);

        // Then every token's log-probability, the first included, is polyglot score's
        Assert.Equal(bos, ReadInt(folder, "generation_config.json", "bos_token_id"));
        for (var s = 0; s < sequences.Count; s++)
            AssertEqualsScore(model, ExportFixture.Texts[s], sequences[s], reference[s]);
    }

    [Fact]
    public async Task ReferenceEqualsScore_When_ExportedTokenizerEncodesWithSpecialTokens()
    {
        // Given an exported model and its tokenizer.json, loaded by Hugging Face tokenizers
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var folder = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("tokjson")).Directory;
        var hf = await HfTokenizers.EncodeAsync(Path.Combine(folder, "tokenizer.json"), ExportFixture.Texts);

        // When the reference scores the ids the tokenizer gives by default
        var reference = ExportFixture.ReferenceLogProbs(folder, hf.IdsWithSpecialTokens);

        // Then the ids are SentencePiece's after the context token, and the log-probabilities polyglot score's
        for (var s = 0; s < ExportFixture.Texts.Length; s++)
        {
            Assert.Equal(fixture.Tokenizer.Encode(ExportFixture.Texts[s]), hf.Ids[s]);
            AssertEqualsScore(model, ExportFixture.Texts[s], hf.IdsWithSpecialTokens[s], reference[s]);
        }
    }

    [Fact]
    public void TokenizerConfigSelectsTokenizerJson_When_Exported()
    {
        // Given a model trained with a SentencePiece BPE tokenizer
        using var model = ExportFixture.RandomModel(fixture.PolyLm());

        // When it is exported
        var folder = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("tokcfg")).Directory;

        // Then tokenizer_config.json selects the fast tokenizer of tokenizer.json, with </s> as bos and eos
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!;
        Assert.Equal("PreTrainedTokenizerFast", config["tokenizer_class"]!.GetValue<string>());
        Assert.Equal("</s>", config["bos_token"]!.GetValue<string>());
        Assert.Equal("</s>", config["eos_token"]!.GetValue<string>());
        Assert.True(config["add_bos_token"]!.GetValue<bool>());
        Assert.True(File.Exists(Path.Combine(folder, "tokenizer.json")));
        Assert.Equal(fixture.Tokenizer.Special.EosId, ReadInt(folder, "config.json", "eos_token_id"));
    }

    [Fact]
    public void SentencePieceTokenizerSelectedWithContextBos_When_TokenizerIsUnigram()
    {
        // Given a model whose tokenizer is a unigram SentencePiece model (no BPE merges to write)
        var unigram = fixture.TrainTokenizer("unigram");
        var config = fixture.PolyLm();
        using (var tokenizer = PolyGlot.Tokenization.SentencePieceTokenizer.Load(unigram))
            config.VocabSize = tokenizer.VocabSize;
        using var model = ExportFixture.RandomModel(config);

        // When it is exported
        var result = HfExporter.Export(model, unigram, fixture.NewDirectory("unigram"));

        // Then there is no tokenizer.json; LlamaTokenizer over tokenizer.model adds </s> as bos
        Assert.DoesNotContain("tokenizer.json", result.Files);
        Assert.False(File.Exists(Path.Combine(result.Directory, "tokenizer.json")));
        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(result.Directory, "tokenizer_config.json")))!;
        Assert.Equal("LlamaTokenizer", tokenizerConfig["tokenizer_class"]!.GetValue<string>());
        Assert.Equal("</s>", tokenizerConfig["bos_token"]!.GetValue<string>());
        Assert.Equal(fixture.Tokenizer.Special.EosId, ReadInt(result.Directory, "config.json", "bos_token_id"));
    }

    private void AssertEqualsScore(PolyGlot.Model.TransformerModel model, string text, int[] sequence, float[][] reference)
    {
        var score = TextScore.Of(model, fixture.Tokenizer, text);
        Assert.Equal(score.TokenIds, sequence.Skip(1));
        for (var t = 0; t < score.LogProbs.Count; t++)
        {
            var difference = Math.Abs(score.LogProbs[t] - reference[t][sequence[t + 1]]);
            Assert.True(difference <= Tolerance, $"{text}: token {t} log-prob differs by {difference:E2} > {Tolerance:E0}");
        }
    }

    private static int ReadInt(string folder, string file, string key) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, file)))![key]!.GetValue<int>();
}
