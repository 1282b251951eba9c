using PolyGlot.Common.Configuration;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Imported;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Export;

namespace PolyGlot.Training.Import;

/// <summary>
/// Turns a Hugging Face <c>LlamaForCausalLM</c> or <c>GPT2LMHeadModel</c> folder (config.json,
/// model.safetensors or shards with an index; float32, bfloat16 or float16) into a PolyGlot
/// checkpoint that training continues from. The output directory holds the tokenizer file and
/// <c>step-000000/</c>, a weights-only checkpoint (float32 master weights, no optimizer or data
/// state) whose config.yaml names the model shape and the tokenizer. Written under a temporary
/// name and renamed into place, so a failed import leaves nothing under the requested name.
/// </summary>
public static class HfImporter
{
    /// <summary>Imports <paramref name="folder"/> into <paramref name="outDir"/>.</summary>
    /// <exception cref="ImportException">Unsupported architecture or option, missing or mismatched weights or tokenizer, or an output directory in the way.</exception>
    public static HfImportResult Import(string folder, string outDir, HfImportOptions? options = null)
    {
        options ??= new HfImportOptions();
        folder = Path.GetFullPath(folder);
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        RequireWritable(target, options.Force);
        var (config, architecture) = HfConfigReader.Read(Path.Combine(folder, "config.json"));
        using var tokenizers = ImportTokenizers.Open(folder, options, config);
        config.VocabSize = Math.Max(config.VocabSize, tokenizers.Used.VocabSize);
        return DurableFiles.WriteDirectory(target, temp =>
        {
            var tokenizerName = tokenizers.CopyInto(temp);
            using var model = TransformerModel.Create(config, Device.Cpu, seed: 0);
            var added = LoadWeights(model, folder, tokenizers, options.NewTokenInit);
            var checkpoint = WriteCheckpoint(temp, model, Path.Combine(target, tokenizerName), tokenizers.Used.ComputeSha256());
            return new HfImportResult(target, Path.Combine(target, Path.GetFileName(checkpoint)), architecture, config,
                Path.Combine(target, tokenizerName), added);
        });
    }

    private static int LoadWeights(TransformerModel model, string folder, ImportTokenizers tokenizers, NewTokenInit rule)
    {
        var map = HfExporter.NameMapFor(model.Config.Layout);
        SafetensorsCollection weights;
        try
        {
            weights = SafetensorsCollection.Open(folder);
        }
        catch (Exception e) when (e is FileNotFoundException or SafetensorsFormatException or NotSupportedException)
        {
            throw new ImportException(folder, $"its weights cannot be read: {e.Message}", e);
        }
        using (weights)
        {
            var rows = (int)HfWeightLoader.Load(model, map, weights, folder);
            var added = model.Config.VocabSize - rows;
            if (added == 0)
                return 0;
            var pieces = rule == NewTokenInit.PieceMean ? tokenizers.NewTokenPieces(rows) : Enumerable.Repeat(Array.Empty<int>(), added).ToList();
            foreach (var name in HfWeightLoader.VocabularyParameters.Where(n => model.Parameters.Any(p => p.Name == n)))
                EmbeddingGrowth.Fill(model.Parameter(name).Tensor, rows, pieces, rule);
            return added;
        }
    }

    private static string WriteCheckpoint(string directory, TransformerModel model, string tokenizerPath, string tokenizerSha256)
    {
        var yaml = YamlConfig.Serialize(new ImportedRun { Model = model.Config, Tokenizer = new TokenizerConfig { Path = tokenizerPath } });
        File.WriteAllText(Path.Combine(directory, "imported.yaml"), yaml);
        var store = new CheckpointStore(directory);
        return store.Save(CheckpointData.WeightsOf(model, yaml, CheckpointCompatibility.Of(model.Config, tokenizerSha256)), keepLast: 1);
    }

    private static void RequireWritable(string target, bool force)
    {
        if (File.Exists(target))
            throw new ImportException(target, "a file of that name exists; choose a directory path for --out");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !force)
            throw new ImportException(target, "the output directory exists and is not empty; choose another --out or pass --force to replace it");
    }


    /// <summary>The sections of a run configuration an imported checkpoint records: the model and its tokenizer.</summary>
    private sealed class ImportedRun
    {
        public ModelConfig Model { get; init; } = new();

        public TokenizerConfig Tokenizer { get; init; } = new();
    }
}
