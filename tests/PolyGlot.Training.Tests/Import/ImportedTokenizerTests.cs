using System.Text.Json.Nodes;
using PolyGlot.Tokenization.Imported;
using PolyGlot.Training.Export;
using PolyGlot.Training.Import;
using PolyGlot.Training.Inference;
using PolyGlot.Training.Tests.Export;

namespace PolyGlot.Training.Tests.Import;

[Collection(ExportCollection.Name)]
public sealed class ImportedTokenizerTests(ExportFixture fixture)
{
    [Fact]
    public void ScoreWithTheFoldersTokenizerJsonMatchesTheReference_When_GptFolderCarriesByteLevelBpe()
    {
        // Given a GPT-2 folder whose tokenizer is a small hand-made byte-level BPE tokenizer.json (GPT-2 style)
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var folder = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("hf-bpe")).Directory;
        File.Delete(Path.Combine(folder, "tokenizer.model"));
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), ByteLevelJson().ToJsonString());
        // When it is imported and a text scored with the tokenizer that came along
        var result = HfImporter.Import(folder, fixture.NewDirectory("imported-bpe"));
        using var loaded = CheckpointModel.Load(result.Checkpoint);
        using var tokenizer = TokenizerLoader.Load(loaded.TokenizerPath);
        const string text = "the cat sat on the mat, then the hat.";
        var score = TextScore.Of(loaded.Model, tokenizer, text);
        // Then the tokenizer is the folder's (merges applied, lossless), and each log-prob equals the reference's on the folder
        Assert.EndsWith("tokenizer.json", result.TokenizerPath);
        Assert.Equal(text, tokenizer.Decode([.. score.TokenIds]));
        Assert.True(score.TokenIds.Count < text.Length - 10, $"{score.TokenIds.Count} tokens for {text.Length} characters: merges not applied");
        var context = new[] { tokenizer.Special.EosId }.Concat(score.TokenIds).ToArray();
        var reference = ExportFixture.ReferenceLogProbs(folder, [context])[0];
        for (var i = 0; i < score.TokenIds.Count; i++)
            Assert.Equal(reference[i][score.TokenIds[i]], score.LogProbs[i], 1e-4);
    }

    /// <summary>
    /// GPT-2's byte-to-character map (printable Latin-1 stays, every other byte becomes U+0100 + n),
    /// the 256 byte symbols as ids 0..255, a few English merges after them and <c>&lt;|endoftext|&gt;</c> last.
    /// </summary>
    private static JsonObject ByteLevelJson()
    {
        var symbols = new List<string>();
        var shifted = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            symbols.Add(((char)(printable ? b : 256 + shifted++)).ToString());
        }
        string[][] merges = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["a", "t"], ["Ġ", "c"], ["Ġc", "at"], ["Ġ", "s"], ["Ġs", "at"], ["Ġ", "m"], ["Ġm", "at"], ["Ġ", "h"], ["Ġh", "at"]];
        var vocab = new JsonObject();
        for (var i = 0; i < symbols.Count; i++)
            vocab[symbols[i]] = i;
        foreach (var merge in merges)
            vocab[merge[0] + merge[1]] = vocab.Count;
        var end = vocab.Count;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = end, ["content"] = "<|endoftext|>", ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m[0], m[1])).ToArray()),
            },
        };
    }
}
