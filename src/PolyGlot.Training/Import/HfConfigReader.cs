using System.Text.Json;
using System.Text.Json.Nodes;
using PolyGlot.Common.Configuration;
using PolyGlot.Model.Configuration;

namespace PolyGlot.Training.Import;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> of <c>LlamaForCausalLM</c> or <c>GPT2LMHeadModel</c>
/// into our <see cref="ModelConfig"/>. Options that change the computation in a way our model
/// does not implement (rope scaling, biases Llama lacks here, GPT-2's tanh GELU, attention scaled
/// by layer index, cross-attention) are refused with the key and its value, so that an import
/// never yields a model that silently computes something else. Keys that only concern training
/// or inference settings (dropout, cache, pretraining_tp) are read or ignored.
/// </summary>
public static class HfConfigReader
{
    /// <summary>The architectures this reader knows.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["LlamaForCausalLM", "GPT2LMHeadModel"];

    /// <summary>The model shape of <paramref name="configPath"/> and its architecture name.</summary>
    /// <exception cref="ImportException">The file is missing or not JSON, names another architecture, or sets an option we do not implement.</exception>
    public static (ModelConfig Model, string Architecture) Read(string configPath)
    {
        var json = Parse(configPath);
        var architecture = Architecture(json, configPath);
        var reader = new Keys(json, configPath);
        var model = architecture == "LlamaForCausalLM" ? Llama(reader) : Gpt2(reader);
        var errors = new ConfigErrors();
        model.Validate(errors, "model");
        if (!errors.IsEmpty)
            throw new ImportException(configPath,
                "the model it describes is not one PolyGlot can build: " + string.Join("; ", errors.All.Select(e => e.ToString())));
        return (model, architecture);
    }

    private static JsonObject Parse(string path)
    {
        if (!File.Exists(path))
            throw new ImportException(path, "no config.json; pass a Hugging Face model folder (config.json and model.safetensors)");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                   ?? throw new ImportException(path, "config.json is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ImportException(path, $"config.json is not valid JSON ({e.Message})", e);
        }
    }

    private static string Architecture(JsonObject json, string path)
    {
        var names = (json["architectures"] as JsonArray)?.Select(n => n?.GetValue<string>()).ToList() ?? [];
        var known = names.FirstOrDefault(n => n is not null && Supported.Contains(n));
        return known ?? throw new ImportException(path,
            $"architectures = [{string.Join(", ", names)}] is not supported; PolyGlot imports {string.Join(" and ", Supported)}");
    }

    private static ModelConfig Llama(Keys keys)
    {
        keys.Refuse("rope_scaling", PlainRotary, "rope scaling (linear, dynamic, yarn, llama3) is not implemented; only plain rotary positions import");
        keys.Refuse("rope_parameters", PlainRotary, "rope scaling (linear, dynamic, yarn, llama3) is not implemented; only plain rotary positions import");
        keys.Refuse("attention_bias", v => v is null || !v.GetValue<bool>(), "Llama attention biases are not part of the llama layout");
        keys.Refuse("mlp_bias", v => v is null || !v.GetValue<bool>(), "Llama MLP biases are not part of the llama layout");
        keys.Refuse("hidden_act", v => v is null || v.GetValue<string>() == "silu", "the llama layout's MLP is SwiGLU with silu");
        var d = keys.Int("hidden_size");
        var heads = keys.Int("num_attention_heads");
        keys.Refuse("head_dim", v => v is null || v.GetValue<int>() * heads == d,
            $"head_dim must equal hidden_size / num_attention_heads = {(heads == 0 ? 0 : d / heads)} here");
        return new ModelConfig
        {
            Layout = ModelConfig.LlamaLayout,
            VocabSize = keys.Int("vocab_size"),
            DModel = d,
            NLayers = keys.Int("num_hidden_layers"),
            NHeads = heads,
            NKvHeads = keys.OptionalInt("num_key_value_heads") ?? heads,
            FfnHidden = keys.Int("intermediate_size"),
            MaxSeqLen = keys.Int("max_position_embeddings"),
            TiedEmbeddings = keys.OptionalBool("tie_word_embeddings") ?? false,
            NormEps = keys.OptionalDouble("rms_norm_eps") ?? 1e-6,
            RopeTheta = keys.OptionalDouble("rope_theta") ?? keys.OptionalDouble("rope_parameters", "rope_theta") ?? 10_000,
            InitStd = keys.OptionalDouble("initializer_range") ?? 0.02,
            Dropout = keys.OptionalDouble("attention_dropout") ?? 0,
        };
    }

    private static ModelConfig Gpt2(Keys keys)
    {
        keys.Refuse("activation_function", v => v is null || v.GetValue<string>() == "gelu",
            "the polylm layout uses exact (erf) GELU, 'gelu'; GPT-2's default 'gelu_new' (tanh) differs");
        keys.Refuse("scale_attn_weights", v => v is null || v.GetValue<bool>(), "attention scores are always scaled by 1/sqrt(head width)");
        keys.Refuse("scale_attn_by_inverse_layer_idx", v => v is null || !v.GetValue<bool>(), "per-layer attention scaling is not implemented");
        keys.Refuse("add_cross_attention", v => v is null || !v.GetValue<bool>(), "cross-attention has no place in a decoder-only model");
        var d = keys.Int("n_embd");
        return new ModelConfig
        {
            Layout = ModelConfig.PolyLmLayout,
            VocabSize = keys.Int("vocab_size"),
            DModel = d,
            NLayers = keys.Int("n_layer"),
            NHeads = keys.Int("n_head"),
            FfnHidden = keys.OptionalInt("n_inner") ?? 4 * d,
            MaxSeqLen = keys.Int("n_positions"),
            TiedEmbeddings = keys.OptionalBool("tie_word_embeddings") ?? true,
            NormEps = keys.OptionalDouble("layer_norm_epsilon") ?? 1e-5,
            InitStd = keys.OptionalDouble("initializer_range") ?? 0.02,
            Dropout = keys.OptionalDouble("resid_pdrop") ?? 0,
        };
    }

    /// <summary>No scaling: the key absent or null, or a scaling whose type is <c>default</c> (how newer transformers write plain rotary).</summary>
    private static bool PlainRotary(JsonNode? scaling) =>
        scaling is null || (scaling["rope_type"] ?? scaling["type"])?.GetValue<string>() == "default";

    /// <summary>Typed access to config.json's keys; every failure names the key.</summary>
    private sealed class Keys(JsonObject json, string path)
    {
        public int Int(string key) => OptionalInt(key)
            ?? throw new ImportException(path, $"config.json has no '{key}', which the model's shape needs");

        public int? OptionalInt(string key) => Read(key, v => v.GetValue<int>());

        public double? OptionalDouble(string key) => Read(key, v => v.GetValue<double>());

        /// <summary>A number inside an object key (newer transformers write <c>rope_parameters.rope_theta</c>).</summary>
        public double? OptionalDouble(string key, string inner) => json[key] is JsonObject nested && nested[inner] is { } value
            ? Read($"{key}.{inner}", _ => value.GetValue<double>(), value)
            : null;

        public bool? OptionalBool(string key) => Read(key, v => v.GetValue<bool>());

        /// <summary>Throws unless <paramref name="accept"/> holds for the key's value (null when absent or null).</summary>
        public void Refuse(string key, Func<JsonNode?, bool> accept, string why)
        {
            var value = json[key];
            bool accepted;
            try
            {
                accepted = accept(value);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                accepted = false;
            }
            if (!accepted)
                throw new ImportException(path, $"config.json key '{key}' = {value?.ToJsonString() ?? "null"} is not supported: {why}");
        }

        private T? Read<T>(string key, Func<JsonNode, T> get, JsonNode? given = null) where T : struct
        {
            var value = given ?? json[key];
            if (value is null)
                return null;
            try
            {
                return get(value);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new ImportException(path, $"config.json key '{key}' = {value.ToJsonString()} is not a {typeof(T).Name.ToLowerInvariant()}", e);
            }
        }
    }
}
