using System.Diagnostics;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.HuggingFace;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Export;

/// <summary>
/// Writes a Hugging Face model folder from a model and its SentencePiece tokenizer: config.json,
/// model.safetensors (or shards with an index), tokenizer.json (BPE models), tokenizer.model,
/// tokenizer_config.json, special_tokens_map.json and generation_config.json. The folder is written under a temporary
/// name beside the target and renamed into place when complete, so a failed export never leaves a
/// half-written folder under the requested name.
/// </summary>
public static class HfExporter
{
    /// <summary>The name map of <paramref name="layout"/>: GPT-2 for <c>polylm</c>, Llama for <c>llama</c>.</summary>
    public static IHfNameMap NameMapFor(string layout) => layout switch
    {
        ModelConfig.PolyLmLayout => new Gpt2NameMap(),
        ModelConfig.LlamaLayout => new LlamaNameMap(),
        _ => throw new ArgumentException($"No export format for model.layout '{layout}'; supported: polylm, llama."),
    };

    /// <summary>Exports <paramref name="model"/> with the tokenizer at <paramref name="tokenizerPath"/> into <paramref name="outDir"/>.</summary>
    /// <exception cref="ExportException">The output directory is not empty (without Force), or the tokenizer is missing or does not fit the model.</exception>
    public static HfExportResult Export(TransformerModel model, string tokenizerPath, string outDir, HfExportOptions? options = null)
    {
        options ??= new HfExportOptions();
        var target = FullPath(outDir);
        RequireWritable(target, options.Force);
        using var tokenizer = LoadTokenizer(tokenizerPath, model.Config);
        // Checked before the weights are written, so that a tokenizer it refuses costs no export time.
        var tokenizerJson = HfTokenizerJson.Of(tokenizer);
        var hasTokenizerJson = tokenizerJson is not null;
        var map = NameMapFor(model.Config.Layout);
        return DurableFiles.WriteDirectory(target, temp =>
        {
            var (weightFiles, bytes, weightSeconds) = WriteWeights(model, temp, options);
            var files = weightFiles.ToList();
            File.Copy(tokenizer.ModelPath, Path.Combine(temp, HfFolderFiles.TokenizerModel));
            files.Add(HfFolderFiles.TokenizerModel);
            if (tokenizerJson is not null)
            {
                tokenizerJson.WriteTo(Path.Combine(temp, HfTokenizerJson.FileName), HfFolderFiles.ContextTokenId(tokenizer.Special));
                files.Add(HfTokenizerJson.FileName);
            }
            files.AddRange(HfFolderFiles.WriteJson(temp, model.Config, map, tokenizer.Special, options.TorchDTypeName, hasTokenizerJson));
            return new HfExportResult(target, map.Architecture, files, bytes, weightSeconds);
        });
    }

    /// <summary>
    /// Writes only the weights, under Hugging Face names, into <paramref name="directory"/>
    /// (model.safetensors, or shards and an index): the part of an export whose speed matters.
    /// Returns the files, the bytes of tensor data and the seconds taken.
    /// </summary>
    public static (IReadOnlyList<string> Files, long Bytes, double Seconds) WriteWeights(TransformerModel model, string directory, HfExportOptions options)
    {
        var watch = Stopwatch.StartNew();
        var payloads = Payloads(model, NameMapFor(model.Config.Layout), options.DType);
        var files = SafetensorsShards.Write(directory, payloads, options.MaxShardBytes,
            new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = payloads.Sum(p => p.Info.ElementCount * p.Info.DType.ItemSize());
        return (files, bytes, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Throws unless <paramref name="outDir"/> may receive an export (missing, empty, or <paramref name="force"/>).</summary>
    /// <exception cref="ExportException">A file of that name, or a non-empty directory without force.</exception>
    public static void RequireWritable(string outDir, bool force)
    {
        var target = FullPath(outDir);
        if (File.Exists(target))
            throw new ExportException(target, "a file of that name exists; choose a directory path for --out");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !force)
            throw new ExportException(target,
                "the directory exists and is not empty; choose another --out or pass --force to replace its contents");
    }

    /// <summary>The absolute path without a trailing separator, so that the temporary sibling lands beside it, not inside.</summary>
    private static string FullPath(string outDir) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));

    private static SentencePieceTokenizer LoadTokenizer(string path, ModelConfig config)
    {
        if (!File.Exists(path))
            throw new ExportException(path,
                "the tokenizer model does not exist; pass the run's SentencePiece .model file with --tokenizer");
        var tokenizer = SentencePieceTokenizer.Load(path);
        if (tokenizer.VocabSize != config.VocabSize)
        {
            tokenizer.Dispose();
            throw new ExportException(path,
                $"the tokenizer has {tokenizer.VocabSize} pieces but the model's vocab_size is {config.VocabSize}; pass the tokenizer the model was trained with");
        }
        return tokenizer;
    }

    /// <summary>Payloads that build each Hugging Face tensor only while it is written, so that peak memory stays near one tensor above the model.</summary>
    internal static List<SafetensorsPayload> Payloads(TransformerModel model, IHfNameMap map, DType dtype)
    {
        var parameters = model.Parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        var payloads = new List<SafetensorsPayload>();
        foreach (var spec in map.Tensors(model.Config))
        {
            var sources = spec.Sources.Select(name => parameters.TryGetValue(name, out var t) ? t
                : throw new ArgumentException($"The {map.Architecture} export needs parameter '{name}', which this model does not have.")).ToList();
            var shape = ShapeOf(spec, sources);
            var info = new SafetensorsTensorInfo(spec.Name, dtype.ToSafetensors(), shape);
            payloads.Add(new SafetensorsPayload(info, writer =>
            {
                using var scope = DisposeScope.Enter();
                using var noGrad = new NoGradScope();
                var joined = sources.Count == 1 ? sources[0] : Tensor.Cat(sources, 0);
                var built = (spec.Transpose ? joined.Transpose(0, 1) : joined).To(dtype).Contiguous();
                SafetensorsTensors.Payload(spec.Name, built).WriteBytes(writer);
            }));
        }
        return payloads;
    }

    private static long[] ShapeOf(HfTensorSpec spec, IReadOnlyList<Tensor> sources)
    {
        var shape = sources[0].Shape.ToArray();
        shape[0] = sources.Sum(s => s.Shape[0]);
        return spec.Transpose ? [shape[1], shape[0]] : shape;
    }

}
