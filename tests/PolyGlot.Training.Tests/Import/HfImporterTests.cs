using System.Text.Json.Nodes;
using PolyGlot.Model;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Export;
using PolyGlot.Training.Import;
using PolyGlot.Training.Inference;
using PolyGlot.Training.Tests.Export;

namespace PolyGlot.Training.Tests.Import;

[Collection(ExportCollection.Name)]
public sealed class HfImporterTests(ExportFixture fixture)
{
    /// <summary>Every next-token log-probability, fp32, absolute, as the export tests use.</summary>
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("llama")]
    [InlineData("polylm")]
    public void ScoresMatchTheReferenceOnTheFolder_When_Imported(string layout)
    {
        // Given a Hugging Face folder of a random model (LlamaForCausalLM with GQA, or GPT2LMHeadModel)
        var folder = ExportRandom(layout, new HfExportOptions());
        // When it is imported and the checkpoint loaded as score, eval and generate load it
        var result = HfImporter.Import(folder, fixture.NewDirectory("imported"));
        using var loaded = CheckpointModel.Load(result.Checkpoint);
        // Then every next-token log-probability equals the independent reference's on the original folder
        var sequences = fixture.TextIds();
        var reference = ExportFixture.ReferenceLogProbs(folder, sequences);
        for (var s = 0; s < sequences.Count; s++)
        {
            var ours = TokenScorer.NextTokenLogProbs(loaded.Model, sequences[s]);
            var worst = ours.Zip(reference[s], (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Max();
            Assert.True(worst <= Tolerance, $"text {s}: worst log-prob difference {worst:E2} > {Tolerance:E0}");
        }
    }

    [Theory]
    [InlineData("llama", "float32", 0L)]
    [InlineData("polylm", "float32", 0L)]
    [InlineData("llama", "bfloat16", 0L)]
    [InlineData("polylm", "float16", 0L)]
    [InlineData("llama", "float32", 40_000L)]
    public void ExportGivesBackEveryTensorBitForBit_When_ImportedFolderExportedAgain(string layout, string dtype, long maxShardBytes)
    {
        // Given a folder in fp32, bf16 or fp16, in one file or in shards with an index
        var options = new HfExportOptions
        {
            DType = dtype switch { "bfloat16" => PolyGlot.Torch.DType.BFloat16, "float16" => PolyGlot.Torch.DType.Float16, _ => PolyGlot.Torch.DType.Float32 },
            MaxShardBytes = maxShardBytes > 0 ? maxShardBytes : SafetensorsShards.DefaultMaxShardBytes,
        };
        var folder = ExportRandom(layout, options);
        // When it is imported and the checkpoint exported again in the same dtype
        var result = HfImporter.Import(folder, fixture.NewDirectory("imported"));
        using var loaded = CheckpointModel.Load(result.Checkpoint);
        var again = HfExporter.Export(loaded.Model, result.TokenizerPath, fixture.NewDirectory("again"), options with { MaxShardBytes = SafetensorsShards.DefaultMaxShardBytes });
        // Then every tensor has the same name, dtype, shape and bytes
        using var before = SafetensorsCollection.Open(folder);
        using var after = SafetensorsCollection.Open(again.Directory);
        Assert.Equal(before.Names.Order(StringComparer.Ordinal), after.Names.Order(StringComparer.Ordinal));
        foreach (var name in before.Names)
        {
            Assert.Equal(before.Entry(name).DType, after.Entry(name).DType);
            Assert.Equal(before.Entry(name).Shape, after.Entry(name).Shape);
            Assert.True(before.GetBytes(name).SequenceEqual(after.GetBytes(name)), $"tensor {name} differs");
        }
    }

    [Fact]
    public void CheckpointRecordsTheModelAndTokenizer_When_Imported()
    {
        // Given an exported llama folder
        var folder = ExportRandom("llama", new HfExportOptions());
        // When it is imported
        var result = HfImporter.Import(folder, fixture.NewDirectory("imported"));
        // Then the tokenizer is copied byte for byte, and the checkpoint is weights-only with the folder's shape
        Assert.Equal(File.ReadAllBytes(fixture.TokenizerPath), File.ReadAllBytes(result.TokenizerPath));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(result.Checkpoint, "checkpoint.json")))!;
        Assert.True(manifest["weights_only"]!.GetValue<bool>());
        Assert.Equal(fixture.Llama().NKvHeads, result.Model.KvHeads);
        Assert.Equal(fixture.Llama().FfnHiddenSize, result.Model.FfnHiddenSize);
        Assert.Equal(ExportFixture.LargeEps, result.Model.NormEps);
        Assert.True(File.Exists(Path.Combine(result.Directory, "imported.yaml")));
    }

    [Theory]
    [InlineData("rope_scaling", """{"rope_type": "linear", "factor": 2.0}""")]
    [InlineData("rope_parameters", """{"rope_type": "yarn", "factor": 4.0, "rope_theta": 500000}""")]
    [InlineData("attention_bias", "true")]
    [InlineData("mlp_bias", "true")]
    [InlineData("hidden_act", "\"gelu\"")]
    [InlineData("architectures", """["MistralForCausalLM"]""")]
    public void RefusedNamingTheKey_When_ConfigHasAnOptionNotImplemented(string key, string value)
    {
        // Given a llama folder whose config.json sets an option PolyGlot's model does not implement
        var folder = ExportRandom("llama", new HfExportOptions());
        EditConfig(folder, json => json[key] = JsonNode.Parse(value));
        var output = fixture.NewDirectory("refused");
        // When it is imported
        var error = Assert.Throws<ImportException>(() => HfImporter.Import(folder, output));
        // Then the refusal names the key, and nothing is written
        Assert.Contains(key, error.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void RopeThetaRead_When_WrittenAsDefaultRopeParameters()
    {
        // Given a llama folder whose config.json spells plain rotary the newer way, rope_theta inside rope_parameters
        var folder = ExportRandom("llama", new HfExportOptions());
        EditConfig(folder, json =>
        {
            json.Remove("rope_theta");
            json["rope_scaling"] = null;
            json["rope_parameters"] = JsonNode.Parse("""{"rope_type": "default", "rope_theta": 500000.0}""");
        });
        // When it is imported, then the rotary base is the one given there
        Assert.Equal(500_000, HfImporter.Import(folder, fixture.NewDirectory("rope")).Model.RopeTheta);
    }

    [Fact]
    public void RefusedNamingTheKey_When_Gpt2UsesTanhGelu()
    {
        // Given a GPT-2 folder with the original GPT-2's tanh GELU
        var folder = ExportRandom("polylm", new HfExportOptions());
        EditConfig(folder, json => json["activation_function"] = "gelu_new");
        // When it is imported, then the refusal names the key and the value
        var error = Assert.Throws<ImportException>(() => HfImporter.Import(folder, fixture.NewDirectory("tanh")));
        Assert.Contains("activation_function", error.Message);
        Assert.Contains("gelu_new", error.Message);
    }

    [Fact]
    public void RefusedNamingTheTensor_When_WeightsHoldABiasTheModelLacks()
    {
        // Given a llama folder whose weights hold an extra q_proj bias (as Qwen-style checkpoints do)
        var folder = ExportRandom("llama", new HfExportOptions());
        var path = Path.Combine(folder, "model.safetensors");
        using (var file = SafetensorsFile.Open(path))
        {
            var payloads = file.Tensors.Select(t => SafetensorsPayload.FromBytes(t.Name, t.DType, t.Shape, file.GetBytes(t.Name).ToArray())).ToList();
            payloads.Add(SafetensorsPayload.FromBytes("model.layers.0.self_attn.q_proj.bias", SafetensorsDType.F32, [32], new byte[128]));
            SafetensorsPayload.Save(path + ".new", payloads);
        }
        File.Move(path + ".new", path, overwrite: true);
        // When it is imported, then the refusal names the tensor
        var error = Assert.Throws<ImportException>(() => HfImporter.Import(folder, fixture.NewDirectory("bias")));
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", error.Message);
    }

    private string ExportRandom(string layout, HfExportOptions options)
    {
        using var model = ExportFixture.RandomModel(layout == "llama" ? fixture.Llama() : fixture.PolyLm());
        return HfExporter.Export(model, fixture.TokenizerPath, fixture.NewDirectory("hf-" + layout), options).Directory;
    }

    private static void EditConfig(string folder, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
