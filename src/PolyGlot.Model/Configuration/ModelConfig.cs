using PolyGlot.Common.Configuration;
using YamlDotNet.Serialization;

namespace PolyGlot.Model.Configuration;

/// <summary>
/// The <c>model:</c> section of a run configuration: the transformer's layout and shape.
/// <c>polylm</c> is PolyLM's GPT-2 layout (pre-LayerNorm with biases, GELU MLP, learned absolute
/// positions, tied or untied head); <c>llama</c> is RMSNorm, SwiGLU, rotary positions and
/// grouped-query attention without biases.
/// </summary>
public sealed class ModelConfig : IValidatedConfig
{
    /// <summary>The PolyLM / GPT-2 layout.</summary>
    public const string PolyLmLayout = "polylm";

    /// <summary>The Llama layout.</summary>
    public const string LlamaLayout = "llama";

    /// <summary><c>polylm</c> or <c>llama</c>.</summary>
    public string Layout { get; set; } = PolyLmLayout;

    /// <summary>Vocabulary size; must equal the tokenizer's.</summary>
    public int VocabSize { get; set; } = 32_000;

    /// <summary>Width of the residual stream (d).</summary>
    public int DModel { get; set; } = 768;

    /// <summary>Number of transformer blocks (L).</summary>
    public int NLayers { get; set; } = 12;

    /// <summary>Attention heads; must divide <see cref="DModel"/>.</summary>
    public int NHeads { get; set; } = 12;

    /// <summary>Key/value heads for grouped-query attention (<c>llama</c>); defaults to <see cref="NHeads"/>.</summary>
    public int? NKvHeads { get; set; }

    /// <summary>Hidden width of the MLP; defaults to 4d (<c>polylm</c>) or Llama's 8d/3 rounded up to a multiple of 256.</summary>
    public int? FfnHidden { get; set; }

    /// <summary>Longest sequence the model is built for (learned positions / rotary tables).</summary>
    public int MaxSeqLen { get; set; } = 2048;

    /// <summary>The LM head reuses the token embedding matrix.</summary>
    public bool TiedEmbeddings { get; set; } = true;

    /// <summary>Epsilon of LayerNorm / RMSNorm.</summary>
    public double NormEps { get; set; } = 1e-5;

    /// <summary>Rotary base (<c>llama</c>).</summary>
    public double RopeTheta { get; set; } = 10_000;

    /// <summary>Standard deviation of the normal initialisation of weights (PolyLM: 0.006).</summary>
    public double InitStd { get; set; } = 0.02;

    /// <summary>Dropout probability (PolyLM: 0).</summary>
    public double Dropout { get; set; }

    /// <summary>Key/value heads in effect.</summary>
    [YamlIgnore]
    public int KvHeads => NKvHeads ?? NHeads;

    /// <summary>Width of one attention head (d / heads).</summary>
    [YamlIgnore]
    public int HeadDim => NHeads == 0 ? 0 : DModel / NHeads;

    /// <summary>MLP hidden width in effect (see <see cref="FfnHidden"/>).</summary>
    [YamlIgnore]
    public int FfnHiddenSize => FfnHidden ?? DefaultFfnHidden(Layout, DModel);

    /// <summary>True for the Llama layout.</summary>
    [YamlIgnore]
    public bool IsLlama => Layout == LlamaLayout;

    /// <summary>The default MLP width: 4d for <c>polylm</c>; for <c>llama</c> 2/3 of 4d rounded up to a multiple of 256, as Llama does.</summary>
    public static int DefaultFfnHidden(string layout, int dModel)
    {
        if (layout != LlamaLayout)
            return 4 * dModel;
        const int multiple = 256;
        var hidden = 2 * (4 * dModel) / 3;
        return (hidden + multiple - 1) / multiple * multiple;
    }

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        string Key(string key) => ConfigPath.Join(path, key);
        errors.RequireOneOf(Layout, [PolyLmLayout, LlamaLayout], Key("layout"));
        errors.RequirePositive(VocabSize, Key("vocab_size"));
        errors.RequirePositive(DModel, Key("d_model"));
        errors.RequirePositive(NLayers, Key("n_layers"));
        errors.RequirePositive(NHeads, Key("n_heads"));
        errors.RequirePositive(MaxSeqLen, Key("max_seq_len"));
        if (FfnHidden is { } ffn)
            errors.RequirePositive(ffn, Key("ffn_hidden"));
        errors.Require(NormEps > 0 && NormEps < 1, Key("norm_eps"), NormEps, "must be greater than 0 and less than 1");
        errors.RequirePositive(InitStd, Key("init_std"));
        errors.Require(Dropout >= 0 && Dropout < 1, Key("dropout"), Dropout, "must be at least 0 and less than 1");
        if (NHeads > 0 && DModel > 0)
            errors.Require(DModel % NHeads == 0, Key("d_model"), DModel,
                $"must be divisible by n_heads = {NHeads} ({DModel} / {NHeads} is not a whole head width)");
        ValidateHeads(errors, path);
    }

    private void ValidateHeads(ConfigErrors errors, string path)
    {
        var key = ConfigPath.Join(path, "n_kv_heads");
        if (NKvHeads is { } kv)
        {
            errors.Require(kv > 0 && NHeads > 0 && NHeads % kv == 0, key, kv,
                $"must be a positive divisor of n_heads = {NHeads} (each key/value head serves a whole group of query heads)");
            errors.Require(IsLlama || kv == NHeads, key, kv,
                "grouped-query attention needs layout llama; polylm (GPT-2) uses n_kv_heads = n_heads");
        }
        if (IsLlama)
        {
            errors.RequirePositive(RopeTheta, ConfigPath.Join(path, "rope_theta"));
            if (NHeads > 0 && DModel % NHeads == 0)
                errors.Require(HeadDim % 2 == 0, ConfigPath.Join(path, "n_heads"), NHeads,
                    $"rotary positions rotate pairs of channels, so the head width d_model / n_heads = {HeadDim} must be even");
        }
    }
}
