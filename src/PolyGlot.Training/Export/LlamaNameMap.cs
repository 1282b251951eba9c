using System.Text.Json.Nodes;
using PolyGlot.Model.Configuration;

namespace PolyGlot.Training.Export;

/// <summary>
/// <c>llama</c> -> <c>LlamaForCausalLM</c> (transformers' modeling_llama). Weights keep their
/// (out, in) layout. No q/k row permutation is needed: our rotary (Functional.RotaryTables /
/// ApplyRotary) already uses the rotate_half convention with the frequencies repeated over both
/// halves of a head, which is what Hugging Face Llama applies; the permutation Meta's conversion
/// script performs exists only for checkpoints that rotate interleaved pairs. Grouped-query
/// attention repeats each key/value head for consecutive query heads on both sides
/// (repeat_interleave / repeat_kv), so k_proj and v_proj rows map one to one.
/// </summary>
public sealed class LlamaNameMap : IHfNameMap
{
    /// <inheritdoc />
    public string Architecture => "LlamaForCausalLM";

    /// <inheritdoc />
    public IReadOnlyList<HfTensorSpec> Tensors(ModelConfig config)
    {
        var tensors = new List<HfTensorSpec> { HfTensorSpec.Same("model.embed_tokens.weight", "embed.tokens.weight") };
        for (var i = 0; i < config.NLayers; i++)
            tensors.AddRange(Layer(i));
        tensors.Add(HfTensorSpec.Same("model.norm.weight", "final_norm.weight"));
        if (!config.TiedEmbeddings)
            tensors.Add(HfTensorSpec.Same("lm_head.weight", "head.weight"));
        return tensors;
    }

    /// <inheritdoc />
    public JsonObject Config(ModelConfig config) => new()
    {
        ["model_type"] = "llama",
        ["vocab_size"] = config.VocabSize,
        ["hidden_size"] = config.DModel,
        ["intermediate_size"] = config.FfnHiddenSize,
        ["num_hidden_layers"] = config.NLayers,
        ["num_attention_heads"] = config.NHeads,
        ["num_key_value_heads"] = config.KvHeads,
        ["head_dim"] = config.HeadDim,
        ["max_position_embeddings"] = config.MaxSeqLen,
        ["hidden_act"] = "silu",
        ["rms_norm_eps"] = config.NormEps,
        ["rope_theta"] = config.RopeTheta,
        ["rope_scaling"] = null,
        ["attention_bias"] = false,
        ["attention_dropout"] = config.Dropout,
        ["mlp_bias"] = false,
        ["pretraining_tp"] = 1,
        ["initializer_range"] = config.InitStd,
    };

    private static IEnumerable<HfTensorSpec> Layer(int i)
    {
        string Ours(string name) => $"layers.{i}.{name}";
        var hf = $"model.layers.{i}";
        yield return HfTensorSpec.Same($"{hf}.input_layernorm.weight", Ours("attn_norm.weight"));
        yield return HfTensorSpec.Same($"{hf}.self_attn.q_proj.weight", Ours("attn.wq.weight"));
        yield return HfTensorSpec.Same($"{hf}.self_attn.k_proj.weight", Ours("attn.wk.weight"));
        yield return HfTensorSpec.Same($"{hf}.self_attn.v_proj.weight", Ours("attn.wv.weight"));
        yield return HfTensorSpec.Same($"{hf}.self_attn.o_proj.weight", Ours("attn.wo.weight"));
        yield return HfTensorSpec.Same($"{hf}.post_attention_layernorm.weight", Ours("mlp_norm.weight"));
        yield return HfTensorSpec.Same($"{hf}.mlp.gate_proj.weight", Ours("mlp.gate.weight"));
        yield return HfTensorSpec.Same($"{hf}.mlp.up_proj.weight", Ours("mlp.up.weight"));
        yield return HfTensorSpec.Same($"{hf}.mlp.down_proj.weight", Ours("mlp.down.weight"));
    }
}
