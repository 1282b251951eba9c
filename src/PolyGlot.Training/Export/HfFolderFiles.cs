using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyGlot.Common.IO;
using PolyGlot.Model.Configuration;
using PolyGlot.Tokenization;

namespace PolyGlot.Training.Export;

/// <summary>
/// The JSON files of a Hugging Face model folder besides the weights and the tokenizer itself.
/// Their bos token is the context token training used, <c>&lt;/s&gt;</c>: training puts it between
/// documents, so every document follows it, and <c>polyglot score</c> conditions the first token
/// on it. A Hugging Face user who prepends the config's bos (or lets the tokenizer add it) thus
/// scores and generates from the context the model was trained in, as with GPT-2, whose bos and
/// eos are one token. <c>&lt;s&gt;</c> (id 1) never occurs in training.
/// </summary>
public static class HfFolderFiles
{
    /// <summary>The SentencePiece model, as LlamaTokenizer expects it.</summary>
    public const string TokenizerModel = "tokenizer.model";

    // Relaxed escaping keeps "</s>" readable instead of "\u003C/s\u003E"; the files are JSON, not HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes config.json, generation_config.json, tokenizer_config.json and special_tokens_map.json;
    /// returns their names. <paramref name="hasTokenizerJson"/>: the folder holds a tokenizer.json,
    /// which tokenizer_config.json then selects; otherwise it selects the SentencePiece model.
    /// </summary>
    public static IReadOnlyList<string> WriteJson(string directory, ModelConfig config, IHfNameMap map, SpecialTokens special, string torchDType,
        bool hasTokenizerJson)
    {
        var files = new Dictionary<string, JsonObject>
        {
            ["config.json"] = ModelJson(config, map, special, torchDType),
            ["generation_config.json"] = new()
            {
                ["bos_token_id"] = ContextTokenId(special),
                ["eos_token_id"] = special.EosId,
                ["pad_token_id"] = special.PadId,
            },
            ["tokenizer_config.json"] = TokenizerConfigJson(config, hasTokenizerJson),
            ["special_tokens_map.json"] = SpecialTokensJson(),
        };
        foreach (var (name, json) in files)
            AtomicFile.WriteAllText(Path.Combine(directory, name), json.ToJsonString(Indented) + "\n");
        return files.Keys.ToList();
    }

    private static JsonObject ModelJson(ModelConfig config, IHfNameMap map, SpecialTokens special, string torchDType)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(map.Architecture),
            ["torch_dtype"] = torchDType,
            ["tie_word_embeddings"] = config.TiedEmbeddings,
            ["bos_token_id"] = ContextTokenId(special),
            ["eos_token_id"] = special.EosId,
            ["pad_token_id"] = special.PadId,
            ["use_cache"] = true,
        };
        foreach (var (key, value) in map.Config(config))
            json[key] = value?.DeepClone();
        return json;
    }

    /// <summary>The token every training document follows (end-of-document), exported as bos.</summary>
    public static int ContextTokenId(SpecialTokens special) => special.EosId;

    /// <summary>
    /// The generic fast tokenizer over tokenizer.json (whose post-processor puts <c>&lt;/s&gt;</c>
    /// before the text), or, for a model without one, LlamaTokenizer over the SentencePiece model
    /// with <c>&lt;/s&gt;</c> as the bos it adds. <c>legacy: true</c> keeps LlamaTokenizer from
    /// altering how text after special tokens is split.
    /// </summary>
    private static JsonObject TokenizerConfigJson(ModelConfig config, bool hasTokenizerJson)
    {
        var json = new JsonObject
        {
            ["tokenizer_class"] = hasTokenizerJson ? "PreTrainedTokenizerFast" : "LlamaTokenizer",
            ["add_bos_token"] = true,
            ["add_eos_token"] = false,
            ["bos_token"] = SpecialTokens.EosPiece,
            ["eos_token"] = SpecialTokens.EosPiece,
            ["unk_token"] = SpecialTokens.UnkPiece,
            ["pad_token"] = SpecialTokens.PadPiece,
            ["clean_up_tokenization_spaces"] = false,
            ["model_max_length"] = config.MaxSeqLen,
        };
        if (!hasTokenizerJson)
        {
            json["legacy"] = true;
            json["sp_model_kwargs"] = new JsonObject();
        }
        return json;
    }

    private static JsonObject SpecialTokensJson() => new()
    {
        ["bos_token"] = SpecialTokens.EosPiece,
        ["eos_token"] = SpecialTokens.EosPiece,
        ["unk_token"] = SpecialTokens.UnkPiece,
        ["pad_token"] = SpecialTokens.PadPiece,
    };
}
