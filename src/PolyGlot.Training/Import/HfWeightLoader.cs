using PolyGlot.Model;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Export;

namespace PolyGlot.Training.Import;

/// <summary>
/// Fills a model's parameters from a Hugging Face state dict by running the export's name map
/// backwards: each Hugging Face tensor is converted to float32, transposed back where the export
/// transposes (GPT-2's <c>Conv1D</c>) and split along dimension 0 into the parameters the export
/// concatenates (GPT-2's fused <c>c_attn</c>). The same map in both directions is what makes
/// export(import(x)) reproduce x. Vocabulary matrices may be shorter than the model's (an extended
/// tokenizer): their first rows are filled and the caller initialises the rest.
/// </summary>
internal static class HfWeightLoader
{
    /// <summary>Buffers some Hugging Face versions save that hold no weights (causal masks, rotary frequencies).</summary>
    private static readonly string[] BufferSuffixes = [".attn.bias", ".attn.masked_bias", ".rotary_emb.inv_freq"];

    /// <summary>Our parameters whose dimension 0 is the vocabulary.</summary>
    public static readonly string[] VocabularyParameters = ["embed.tokens.weight", "head.weight"];

    /// <summary>Loads every parameter of <paramref name="model"/> from <paramref name="weights"/>; returns the Hugging Face vocabulary rows found.</summary>
    /// <exception cref="ImportException">A tensor is missing, has another shape, or is one the model has no place for.</exception>
    public static long Load(TransformerModel model, IHfNameMap map, SafetensorsCollection weights, string folder)
    {
        var parameters = model.Parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        var names = Names(weights);
        var used = new HashSet<string>(StringComparer.Ordinal);
        long vocabularyRows = model.Config.VocabSize;
        using var noGrad = new NoGradScope();
        foreach (var spec in map.Tensors(model.Config))
        {
            var stored = names.TryGetValue(spec.Name, out var s) ? s
                : throw new ImportException(folder, $"the weights hold no '{spec.Name}', which {map.Architecture} needs");
            used.Add(stored);
            var rows = LoadOne(spec, stored, weights, parameters, folder);
            if (spec.Sources.Any(VocabularyParameters.Contains))
                vocabularyRows = rows;
        }
        RefuseLeftovers(weights, used, model.Config.TiedEmbeddings, folder);
        return vocabularyRows;
    }

    /// <summary>
    /// Hugging Face name -> stored name. Some GPT-2 checkpoints (the original <c>gpt2</c>) store
    /// the transformer's tensors without the <c>transformer.</c> prefix.
    /// </summary>
    private static Dictionary<string, string> Names(SafetensorsCollection weights)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in weights.Names)
            names[name] = name;
        foreach (var name in weights.Names.Where(n => !names.ContainsKey("transformer." + n) && !n.StartsWith("lm_head.", StringComparison.Ordinal)))
            names.TryAdd("transformer." + name, name);
        return names;
    }

    private static long LoadOne(HfTensorSpec spec, string stored, SafetensorsCollection weights, Dictionary<string, Tensor> parameters, string folder)
    {
        using var scope = DisposeScope.Enter();
        var targets = spec.Sources.Select(n => parameters[n]).ToList();
        var entry = weights.Entry(stored);
        var raw = weights.FileOf(stored).ReadTensor(stored);
        var ours = spec.Transpose ? raw.To(DType.Float32).Transpose(0, 1) : raw.To(DType.Float32);  // our (out, in) layout
        var expected = targets[0].Shape.ToArray();
        expected[0] = targets.Sum(t => t.Shape[0]);
        var shape = ours.Shape.ToArray();
        var isVocabulary = spec.Sources.Any(VocabularyParameters.Contains);
        var fits = shape.Length == expected.Length && shape.Skip(1).SequenceEqual(expected.Skip(1))
                   && (isVocabulary ? shape[0] <= expected[0] : shape[0] == expected[0]);
        if (!fits)
            throw new ImportException(folder,
                $"tensor '{stored}' is {entry.DType.Code()} [{string.Join(", ", entry.Shape)}], but config.json describes "
                + $"[{string.Join(", ", spec.Transpose ? expected.Reverse() : expected)}]; the weights and config.json disagree");
        long offset = 0;
        foreach (var target in targets)
        {
            var rows = isVocabulary ? shape[0] : target.Shape[0];
            target.Narrow(0, 0, rows).CopyFrom(ours.Narrow(0, offset, rows));
            offset += rows;
        }
        return shape[0];
    }

    private static void RefuseLeftovers(SafetensorsCollection weights, HashSet<string> used, bool tied, string folder)
    {
        foreach (var name in weights.Names.Where(n => !used.Contains(n)))
        {
            var ignorable = BufferSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal))
                            || (tied && name == "lm_head.weight");
            if (!ignorable)
                throw new ImportException(folder,
                    $"the weights hold '{name}', which has no place in PolyGlot's model (a bias or layer this layout does not have); it is not imported rather than dropped");
        }
    }
}
