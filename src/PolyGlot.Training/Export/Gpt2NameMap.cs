using System.Text.Json.Nodes;
using PolyGlot.Model.Configuration;

namespace PolyGlot.Training.Export;

/// <summary>
/// <c>polylm</c> -> <c>GPT2LMHeadModel</c> (transformers' modeling_gpt2). GPT-2's <c>Conv1D</c>
/// computes x @ W + b with W stored (in, out), the transpose of our (out, in) linear weights;
/// <c>c_attn</c> fuses q, k and v into one (d, 3d) matrix in that order. Our MLP uses exact (erf)
/// GELU, which is GPT-2's <c>activation_function: gelu</c> (not the tanh <c>gelu_new</c>).
/// </summary>
public sealed class Gpt2NameMap : IHfNameMap
{
    /// <inheritdoc />
    public string Architecture => "GPT2LMHeadModel";

    /// <inheritdoc />
    public IReadOnlyList<HfTensorSpec> Tensors(ModelConfig config)
    {
        var tensors = new List<HfTensorSpec>
        {
            HfTensorSpec.Same("transformer.wte.weight", "embed.tokens.weight"),
            HfTensorSpec.Same("transformer.wpe.weight", "embed.positions.weight"),
        };
        for (var i = 0; i < config.NLayers; i++)
            tensors.AddRange(Layer(i));
        tensors.Add(HfTensorSpec.Same("transformer.ln_f.weight", "final_norm.weight"));
        tensors.Add(HfTensorSpec.Same("transformer.ln_f.bias", "final_norm.bias"));
        if (!config.TiedEmbeddings)
            tensors.Add(HfTensorSpec.Same("lm_head.weight", "head.weight"));
        return tensors;
    }

    /// <inheritdoc />
    public JsonObject Config(ModelConfig config) => new()
    {
        ["model_type"] = "gpt2",
        ["vocab_size"] = config.VocabSize,
        ["n_positions"] = config.MaxSeqLen,
        ["n_ctx"] = config.MaxSeqLen,
        ["n_embd"] = config.DModel,
        ["n_layer"] = config.NLayers,
        ["n_head"] = config.NHeads,
        ["n_inner"] = config.FfnHiddenSize,
        ["activation_function"] = "gelu",
        ["layer_norm_epsilon"] = config.NormEps,
        ["resid_pdrop"] = config.Dropout,
        ["embd_pdrop"] = config.Dropout,
        ["attn_pdrop"] = config.Dropout,
        ["scale_attn_weights"] = true,
        ["scale_attn_by_inverse_layer_idx"] = false,
        ["reorder_and_upcast_attn"] = false,
        ["initializer_range"] = config.InitStd,
    };

    private static IEnumerable<HfTensorSpec> Layer(int i)
    {
        string Ours(string name) => $"layers.{i}.{name}";
        var hf = $"transformer.h.{i}";
        yield return HfTensorSpec.Same($"{hf}.ln_1.weight", Ours("attn_norm.weight"));
        yield return HfTensorSpec.Same($"{hf}.ln_1.bias", Ours("attn_norm.bias"));
        yield return new($"{hf}.attn.c_attn.weight", [Ours("attn.wq.weight"), Ours("attn.wk.weight"), Ours("attn.wv.weight")], Transpose: true);
        yield return new($"{hf}.attn.c_attn.bias", [Ours("attn.wq.bias"), Ours("attn.wk.bias"), Ours("attn.wv.bias")]);
        yield return new($"{hf}.attn.c_proj.weight", [Ours("attn.wo.weight")], Transpose: true);
        yield return HfTensorSpec.Same($"{hf}.attn.c_proj.bias", Ours("attn.wo.bias"));
        yield return HfTensorSpec.Same($"{hf}.ln_2.weight", Ours("mlp_norm.weight"));
        yield return HfTensorSpec.Same($"{hf}.ln_2.bias", Ours("mlp_norm.bias"));
        yield return new($"{hf}.mlp.c_fc.weight", [Ours("mlp.fc_in.weight")], Transpose: true);
        yield return HfTensorSpec.Same($"{hf}.mlp.c_fc.bias", Ours("mlp.fc_in.bias"));
        yield return new($"{hf}.mlp.c_proj.weight", [Ours("mlp.fc_out.weight")], Transpose: true);
        yield return HfTensorSpec.Same($"{hf}.mlp.c_proj.bias", Ours("mlp.fc_out.bias"));
    }
}
