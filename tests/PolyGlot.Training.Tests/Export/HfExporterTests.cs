using System.Text.Json.Nodes;
using PolyGlot.Model.Configuration;
using PolyGlot.Training.Export;
using PolyGlot.Training.Inference;

namespace PolyGlot.Training.Tests.Export;

[Collection(ExportCollection.Name)]
public sealed class HfExporterTests(ExportFixture fixture)
{
    /// <summary>Every next-token log-probability, fp32, absolute (log-probabilities lie near -ln V ≈ -6).</summary>
    private const double Tolerance = 1e-4;

    [Fact]
    public void ReferenceMatchesEveryLogProb_When_PolyLmExportedAsGpt2()
    {
        // Given a random polylm model with a tied head
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        // When it is exported and the reference computes GPT2LMHeadModel on the folder
        var result = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("gpt2"));
        // Then every next-token log-probability of text in six scripts agrees
        Assert.Equal("GPT2LMHeadModel", result.Architecture);
        AssertMatchesReference(model, result.Directory);
    }

    [Fact]
    public void ReferenceMatchesEveryLogProb_When_PolyLmWithUntiedHeadExported()
    {
        // Given a random polylm model with its own LM head
        var config = fixture.PolyLm();
        config.TiedEmbeddings = false;
        using var model = ExportFixture.RandomModel(config);
        // When it is exported and the reference computes GPT2LMHeadModel with lm_head.weight
        var result = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("gpt2-untied"));
        // Then every next-token log-probability agrees
        AssertMatchesReference(model, result.Directory);
    }

    [Fact]
    public void ReferenceMatchesEveryLogProb_When_LlamaWithGroupedQueryAttentionExported()
    {
        // Given a random llama model: 4 query heads sharing 2 key/value heads, untied head
        using var model = ExportFixture.RandomModel(fixture.Llama());
        // When it is exported and the reference computes LlamaForCausalLM on the folder
        var result = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("llama"));
        // Then every next-token log-probability agrees
        Assert.Equal("LlamaForCausalLM", result.Architecture);
        AssertMatchesReference(model, result.Directory);
    }

    [Fact]
    public void ReferenceMatchesThroughIndex_When_ExportSharded()
    {
        // Given a random llama model and a shard limit far below its size
        using var model = ExportFixture.RandomModel(fixture.Llama());
        // When it is exported
        var result = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("sharded"),
            new HfExportOptions { MaxShardBytes = 40_000 });
        // Then shards and an index are written and the reference, reading through the index, agrees
        Assert.Contains("model.safetensors.index.json", Directory.GetFiles(result.Directory).Select(Path.GetFileName));
        Assert.DoesNotContain("model.safetensors", Directory.GetFiles(result.Directory).Select(Path.GetFileName));
        AssertMatchesReference(model, result.Directory);
    }

    [Fact]
    public void ConfigFollowsHuggingFaceLlama_When_LlamaExported()
    {
        // Given a llama model with grouped-query attention
        using var model = ExportFixture.RandomModel(fixture.Llama());
        // When it is exported
        var result = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("config"));
        // Then config.json carries the keys transformers reads, with the model's values
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(result.Directory, "config.json")))!;
        Assert.Equal("LlamaForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(2, config["num_key_value_heads"]!.GetValue<int>());
        Assert.Equal(ExportFixture.LargeEps, config["rms_norm_eps"]!.GetValue<double>());
        Assert.Equal(500_000, config["rope_theta"]!.GetValue<double>());
        Assert.False(config["tie_word_embeddings"]!.GetValue<bool>());
        Assert.Equal("float32", config["torch_dtype"]!.GetValue<string>());
    }

    [Fact]
    public void TokenizerFilesWritten_When_Exported()
    {
        // Given a polylm model
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        // When it is exported
        var result = HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("tok"));
        // Then the SentencePiece model is copied byte for byte beside tokenizer.json, and the bos is the context token </s>
        Assert.Equal(File.ReadAllBytes(fixture.TokenizerPath), File.ReadAllBytes(Path.Combine(result.Directory, "tokenizer.model")));
        Assert.Contains("tokenizer.json", result.Files);
        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(result.Directory, "generation_config.json")))!;
        Assert.Equal(fixture.Tokenizer.Special.EosId, generation["eos_token_id"]!.GetValue<int>());
        Assert.Equal(fixture.Tokenizer.Special.EosId, generation["bos_token_id"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(result.Directory, "special_tokens_map.json")));
    }

    [Fact]
    public void ExportRefused_When_OutputDirectoryNotEmpty()
    {
        // Given an output directory holding a file
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var output = fixture.NewDirectory("busy");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "notes.txt"), "keep me");
        // When exporting there without force
        var error = Assert.Throws<ExportException>(() => HfExporter.Export(model, fixture.TokenizerPath, output));
        // Then the export is refused, naming the directory and --force, and the file is untouched
        Assert.Contains(output, error.Message);
        Assert.Contains("--force", error.Message);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(output, "notes.txt")));
    }

    [Fact]
    public void OutputReplaced_When_Forced()
    {
        // Given an output directory holding a file
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var output = fixture.NewDirectory("forced");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "stale.txt"), "old");
        // When exporting there with force
        HfExporter.Export(model, fixture.TokenizerPath, output, new HfExportOptions { Force = true });
        // Then the folder holds the export and nothing stale
        Assert.False(File.Exists(Path.Combine(output, "stale.txt")));
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void FolderWrittenAtPath_When_OutEndsWithSeparator()
    {
        // Given an output path written with a trailing slash
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var output = fixture.NewDirectory("slash");
        // When exporting there
        var result = HfExporter.Export(model, fixture.TokenizerPath, output + Path.DirectorySeparatorChar);
        // Then the folder is the requested one, with the weights directly inside
        Assert.Equal(output, result.Directory);
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void ExportRefused_When_TokenizerVocabularyDiffers()
    {
        // Given a model whose vocabulary is larger than the tokenizer's
        var config = fixture.PolyLm();
        config.VocabSize += 8;
        using var model = ExportFixture.RandomModel(config);
        // When exporting with that tokenizer
        var error = Assert.Throws<ExportException>(() => HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("vocab")));
        // Then the mismatch is named
        Assert.Contains("vocab_size", error.Message);
    }

    private void AssertMatchesReference(PolyGlot.Model.TransformerModel model, string folder)
    {
        var sequences = fixture.TextIds();
        Assert.All(sequences, s => Assert.True(s.Length > 4));
        var reference = ExportFixture.ReferenceLogProbs(folder, sequences);
        for (var s = 0; s < sequences.Count; s++)
        {
            var ours = TokenScorer.NextTokenLogProbs(model, sequences[s]);
            Assert.Equal(ours.Length, reference[s].Length);
            var worst = ours.Zip(reference[s], (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Max();
            Assert.True(worst <= Tolerance, $"text {s} ({ExportFixture.Texts[s]}): worst log-prob difference {worst:E2} > {Tolerance:E0}");
        }
    }
}
