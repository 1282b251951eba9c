using System.Globalization;
using PolyGlot.Model.Configuration;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// What a run must share with a checkpoint for resuming to mean anything: the model's shape
/// (layout, vocabulary, widths, depth, heads, context, tied head) and the tokenizer (the SHA-256 of
/// its <c>.model</c> file). Learning rate, batch size, data mixture may change between runs.
/// </summary>
public sealed class CheckpointCompatibility
{
    /// <summary>Model shape keys and values, e.g. <c>model.d_model = 2048</c>.</summary>
    public SortedDictionary<string, string> Model { get; set; } = new(StringComparer.Ordinal);

    /// <summary>SHA-256 (hex) of the tokenizer model file.</summary>
    public string TokenizerSha256 { get; set; } = "";

    /// <summary>The compatibility record of a run with <paramref name="model"/> and a tokenizer of <paramref name="tokenizerSha256"/>.</summary>
    public static CheckpointCompatibility Of(ModelConfig model, string tokenizerSha256)
    {
        string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        return new CheckpointCompatibility
        {
            Model = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["model.layout"] = model.Layout,
                ["model.vocab_size"] = I(model.VocabSize),
                ["model.d_model"] = I(model.DModel),
                ["model.n_layers"] = I(model.NLayers),
                ["model.n_heads"] = I(model.NHeads),
                ["model.n_kv_heads"] = I(model.KvHeads),
                ["model.ffn_hidden"] = I(model.FfnHiddenSize),
                ["model.max_seq_len"] = I(model.MaxSeqLen),
                ["model.tied_embeddings"] = model.TiedEmbeddings ? "true" : "false",
            },
            TokenizerSha256 = tokenizerSha256.ToLowerInvariant(),
        };
    }

    /// <summary>Every difference from <paramref name="current"/>, as <c>key: checkpoint has X, the run has Y</c>.</summary>
    public IReadOnlyList<string> Differences(CheckpointCompatibility current)
    {
        var differences = new List<string>();
        foreach (var key in Model.Keys.Union(current.Model.Keys).Order(StringComparer.Ordinal))
        {
            var saved = Model.GetValueOrDefault(key, "(absent)");
            var now = current.Model.GetValueOrDefault(key, "(absent)");
            if (saved != now)
                differences.Add($"{key}: the checkpoint has {saved}, the run has {now}");
        }
        if (!string.Equals(TokenizerSha256, current.TokenizerSha256, StringComparison.OrdinalIgnoreCase))
            differences.Add($"tokenizer: the checkpoint was trained with sha256 {TokenizerSha256}, the run's tokenizer is {current.TokenizerSha256}");
        return differences;
    }

    /// <summary>Throws unless <paramref name="current"/> matches this (saved) record.</summary>
    /// <exception cref="CheckpointException">Lists every difference and what to do.</exception>
    public void EnsureResumableBy(CheckpointCompatibility current, string checkpointPath)
    {
        var differences = Differences(current);
        if (differences.Count > 0)
            throw new CheckpointException(checkpointPath,
                "cannot resume: the run's configuration differs from the checkpoint's in what resuming needs:"
                + Environment.NewLine + string.Join(Environment.NewLine, differences.Select(d => "  - " + d))
                + Environment.NewLine + "Restore the original model/tokenizer settings, or start a new run (--resume none or another checkpointing.dir)");
    }
}
