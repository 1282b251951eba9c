using System.Text.Json;
using System.Text.Json.Nodes;
using PolyGlot.Common.IO;
using PolyGlot.Model.Configuration;
using PolyGlot.Tokenization;

namespace PolyGlot.Training.Export;

/// <summary>The JSON files of a Hugging Face model folder besides the weights.</summary>
public static class HfFolderFiles
{
    /// <summary>The SentencePiece model, as LlamaTokenizer expects it.</summary>
    public const string TokenizerModel = "tokenizer.model";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes config.json, generation_config.json, tokenizer_config.json and special_tokens_map.json; returns their names.</summary>
    public static IReadOnlyList<string> WriteJson(string directory, ModelConfig config, IHfNameMap map, SpecialTokens special, string torchDType)
    {
        var files = new Dictionary<string, JsonObject>
        {
            ["config.json"] = ModelJson(config, map, special, torchDType),
            ["generation_config.json"] = new()
            {
                ["bos_token_id"] = special.BosId,
                ["eos_token_id"] = special.EosId,
                ["pad_token_id"] = special.PadId,
            },
            ["tokenizer_config.json"] = TokenizerJson(config),
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
            ["bos_token_id"] = special.BosId,
            ["eos_token_id"] = special.EosId,
            ["pad_token_id"] = special.PadId,
            ["use_cache"] = true,
        };
        foreach (var (key, value) in map.Config(config))
            json[key] = value?.DeepClone();
        return json;
    }

    /// <summary>
    /// LlamaTokenizer over our SentencePiece model. Training documents are the tokenizer's output
    /// followed by end-of-document and nothing before, so neither BOS nor EOS is added on encode;
    /// <c>legacy: true</c> keeps Hugging Face from altering how text after special tokens is split,
    /// so its ids equal those PolyGlot trained on.
    /// </summary>
    private static JsonObject TokenizerJson(ModelConfig config) => new()
    {
        ["tokenizer_class"] = "LlamaTokenizer",
        ["add_bos_token"] = false,
        ["add_eos_token"] = false,
        ["bos_token"] = SpecialTokens.BosPiece,
        ["eos_token"] = SpecialTokens.EosPiece,
        ["unk_token"] = SpecialTokens.UnkPiece,
        ["pad_token"] = SpecialTokens.PadPiece,
        ["legacy"] = true,
        ["clean_up_tokenization_spaces"] = false,
        ["model_max_length"] = config.MaxSeqLen,
        ["sp_model_kwargs"] = new JsonObject(),
    };

    private static JsonObject SpecialTokensJson() => new()
    {
        ["bos_token"] = SpecialTokens.BosPiece,
        ["eos_token"] = SpecialTokens.EosPiece,
        ["unk_token"] = SpecialTokens.UnkPiece,
        ["pad_token"] = SpecialTokens.PadPiece,
    };
}
