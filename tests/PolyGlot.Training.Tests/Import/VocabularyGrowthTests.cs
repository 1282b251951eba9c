using System.IO.Compression;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Training;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Export;
using PolyGlot.Training.Import;
using PolyGlot.Training.Inference;
using PolyGlot.Training.Tests.Export;

namespace PolyGlot.Training.Tests.Import;

[Collection(ExportCollection.Name)]
public sealed class VocabularyGrowthTests(ExportFixture fixture)
{
    private const int Added = 40;

    [Theory]
    [InlineData(NewTokenInit.PieceMean)]
    [InlineData(NewTokenInit.VocabularyMean)]
    public void NewRowsFollowTheRule_When_ImportedWithAnExtendedTokenizer(NewTokenInit rule)
    {
        // Given a llama folder (untied head) and an extension of its tokenizer for Hindi
        var folder = ExportLlama();
        var extended = Extend();
        // When it is imported with the extension
        var result = HfImporter.Import(folder, fixture.NewDirectory("grown"), new HfImportOptions { Tokenizer = extended, NewTokenInit = rule });
        // Then the vocabulary grew, the base rows are the folder's bit for bit, and each new row follows the rule
        Assert.Equal(fixture.Tokenizer.VocabSize + Added, result.Model.VocabSize);
        Assert.Equal(Added, result.AddedTokens);
        using var grown = CheckpointModel.Load(result.Checkpoint);
        using var weights = SafetensorsCollection.Open(folder);
        using var tokenizer = SentencePieceTokenizer.Load(extended);
        foreach (var (ours, theirs) in new[] { ("embed.tokens.weight", "model.embed_tokens.weight"), ("head.weight", "lm_head.weight") })
            AssertRows(grown.Model.Parameter(ours).Tensor.ToArray<float>(), weights.GetBytes(theirs).ToArray(), tokenizer, rule);
    }

    [Fact]
    public void RefusedNamingTheId_When_TokenizerIsNotAnExtensionOfTheFolders()
    {
        // Given a llama folder and a tokenizer trained separately (its ids mean other pieces)
        var folder = ExportLlama();
        var other = Path.Combine(fixture.Root, "other-" + Guid.NewGuid().ToString("N")[..8]);
        var config = new TokenizerTrainingConfig { VocabSize = 1600, CharacterCoverage = 0.98, MaxSentences = 1200, Threads = 2 };
        var path = TokenizerTrainer.Train(config, [new LanguageText("hi", () => HindiLines().Take(600)), new LanguageText("en", () => ["Open the file."])], other).ModelPath;
        // When it is imported with that tokenizer, then the refusal names the first id that differs
        var error = Assert.Throws<ImportException>(() => HfImporter.Import(folder, fixture.NewDirectory("wrong"), new HfImportOptions { Tokenizer = path }));
        Assert.Contains("does not extend", error.Message);
    }

    private void AssertRows(float[] grown, byte[] original, SentencePieceTokenizer extended, NewTokenInit rule)
    {
        var baseRows = fixture.Tokenizer.VocabSize;
        var d = grown.Length / (baseRows + Added);
        var before = new float[baseRows * d];
        Buffer.BlockCopy(original, 0, before, 0, original.Length);
        Assert.Equal(before, grown.AsSpan(0, baseRows * d).ToArray());
        for (var j = 0; j < Added; j++)
        {
            var pieces = rule == NewTokenInit.PieceMean ? fixture.Tokenizer.Encode(extended.Decode([baseRows + j])) : Enumerable.Range(0, baseRows).ToArray();
            for (var c = 0; c < d; c++)
            {
                var expected = pieces.Average(p => (double)before[p * d + c]);
                Assert.Equal(expected, grown[(baseRows + j) * d + c], 1e-5);
            }
        }
    }

    private string ExportLlama()
    {
        using var model = ExportFixture.RandomModel(fixture.Llama());
        return HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("hf-llama")).Directory;
    }

    private string Extend()
    {
        var config = new TokenizerTrainingConfig { VocabSize = 600, CharacterCoverage = 0.9995, MaxSentences = 1200, Threads = 2 };
        return VocabularyExtender.Extend(fixture.TokenizerPath, config, [new LanguageText("hi", () => HindiLines().Take(1200))], Added,
            fixture.NewDirectory("extended")).ModelPath;
    }

    private static IEnumerable<string> HindiLines()
    {
        var path = Path.Combine(ExportFixture.RepoRoot, "data", "demo-corpus", "mono", "lohelp", "hi.txt.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
            if (line.Length > 0)
                yield return line;
    }
}
