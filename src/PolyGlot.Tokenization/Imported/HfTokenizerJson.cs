using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace PolyGlot.Tokenization.Imported;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> whose model is byte-level BPE into
/// Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>: the vocabulary and merges, the split
/// pattern (GPT-2's built into the <c>ByteLevel</c> pre-tokenizer, or the <c>Split</c> regex that
/// Llama 3 and Qwen put before a <c>ByteLevel</c> without regex), the added tokens, and an NFC
/// normalizer where one is declared. Anything else (other models, normalizers or pre-tokenizers,
/// a prefix space) is refused by name rather than approximated.
/// </summary>
internal static class HfTokenizerJson
{
    /// <summary>GPT-2's split pattern, which <c>ByteLevel(use_regex: true)</c> applies (Hugging Face tokenizers' byte_level.rs).</summary>
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3's split pattern (its tokenizer.json's <c>Split</c> regex).</summary>
    private const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen 2's split pattern: Llama 3's with one digit per pre-token.</summary>
    private const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>
    /// Split patterns read as a whole for <see cref="TextCuts.BeforeSpaceAfterNonWhiteSpace"/>: in each, every alternative
    /// that matches a character other than white space goes on only through letters, digits, marks, punctuation or
    /// line breaks, never a space, and none looks behind or tells a space ahead from the end of the text (<c>(?!\S)</c>
    /// holds at both). Any other pattern gets <see cref="TextCuts.None"/>.
    /// </summary>
    private static readonly HashSet<string> PatternsCutBeforeSpace = new(StringComparer.Ordinal) { Gpt2Pattern, Llama3Pattern, Qwen2Pattern };

    /// <summary>Names an end-of-document token goes by, in the order they are tried when no tokenizer_config.json says.</summary>
    private static readonly string[] EosNames = ["<|endoftext|>", "<|end_of_text|>", "</s>"];

    public static ByteLevelBpeTokenizer Load(string path)
    {
        try
        {
            return Read(path);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            // Values of the wrong JSON type, an empty vocabulary, merges the library rejects.
            throw new TokenizerException($"{path} is not a usable byte-level BPE tokenizer.json ({e.Message}).", e);
        }
    }

    private static ByteLevelBpeTokenizer Read(string path)
    {
        var json = Parse(path);
        var model = json["model"] as JsonObject ?? throw Refuse(path, "model", "missing");
        if (model["type"]?.GetValue<string>() != "BPE")
            throw Refuse(path, "model.type", $"'{model["type"]}' (only BPE models are supported)");
        var vocab = (model["vocab"] as JsonObject ?? throw Refuse(path, "model.vocab", "missing"))
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<int>(), StringComparer.Ordinal);
        var merges = Merges(model["merges"] as JsonArray ?? throw Refuse(path, "model.merges", "missing"));
        var added = Added(json["added_tokens"] as JsonArray);
        var pattern = SplitPattern(json["pre_tokenizer"] as JsonObject, path);
        var tokenizer = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = added,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), added),
            Normalizer = Normalizer(json["normalizer"], path),
        });
        var byId = vocab.Concat(added).GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);
        var vocabSize = byId.Keys.Max() + 1;
        var special = Special(path, added, vocab);
        return new ByteLevelBpeTokenizer(tokenizer, id => byId.GetValueOrDefault(id), path, vocabSize, special, Cuts(pattern, added.Keys));
    }

    /// <summary>
    /// Where texts split by <paramref name="pattern"/> can be cut: a special token is matched before the pattern
    /// splits, so one holding white space could be cut in two.
    /// </summary>
    private static TextCuts Cuts(string pattern, IEnumerable<string> specialTokens) =>
        PatternsCutBeforeSpace.Contains(pattern) && !specialTokens.Any(t => t.Any(char.IsWhiteSpace))
            ? TextCuts.BeforeSpaceAfterNonWhiteSpace
            : TextCuts.None;

    /// <summary>
    /// A GPT-2 style byte-level BPE from a directory holding <c>vocab.json</c> and <c>merges.txt</c>
    /// (what <c>tokenizer.model.save(directory)</c> writes), with GPT-2's split pattern.
    /// </summary>
    public static ByteLevelBpeTokenizer LoadVocabAndMerges(string directory)
    {
        var vocab = Path.Combine(directory, "vocab.json");
        var merges = Path.Combine(directory, "merges.txt");
        if (!File.Exists(vocab) || !File.Exists(merges))
            throw new TokenizerException($"--compare {directory}: a Hugging Face BPE directory needs vocab.json and merges.txt; " +
                                         "export them with tokenizer.model.save(directory).");
        try
        {
            var tokenizer = BpeTokenizer.Create(new BpeOptions(vocab, merges)
            {
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(new Regex(Gpt2Pattern, RegexOptions.Compiled), null),
            });
            var vocabSize = tokenizer.Vocabulary.Values.DefaultIfEmpty(-1).Max() + 1;
            var eos = tokenizer.Vocabulary.TryGetValue("<|endoftext|>", out var id) ? id : -1;
            var byId = tokenizer.Vocabulary.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);
            return new ByteLevelBpeTokenizer(tokenizer, byId.GetValueOrDefault, directory, vocabSize, new SpecialTokens(-1, -1, eos, -1),
                Cuts(Gpt2Pattern, []),
                () => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(vocab).Concat(File.ReadAllBytes(merges)).ToArray())));
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new TokenizerException($"--compare {directory}: vocab.json / merges.txt do not form a BPE vocabulary: {e.Message}", e);
        }
    }

    private static JsonObject Parse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new TokenizerException($"{path} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new TokenizerException($"{path} is not valid JSON ({e.Message}); pass a Hugging Face tokenizer.json.", e);
        }
    }

    /// <summary>Merges as "a b" strings: tokenizers writes them either so or as [a, b] pairs (newer files). Byte-level tokens never hold a space.</summary>
    private static List<string> Merges(JsonArray merges) =>
        merges.Select(m => m is JsonArray pair ? $"{pair[0]!.GetValue<string>()} {pair[1]!.GetValue<string>()}" : m!.GetValue<string>()).ToList();

    private static Dictionary<string, int> Added(JsonArray? tokens) =>
        (tokens ?? []).OfType<JsonObject>().ToDictionary(t => t["content"]!.GetValue<string>(), t => t["id"]!.GetValue<int>(), StringComparer.Ordinal);

    private static string SplitPattern(JsonObject? pre, string path)
    {
        if (pre is null)
            throw Refuse(path, "pre_tokenizer", "null (a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer)");
        var type = pre["type"]?.GetValue<string>();
        if (type == "ByteLevel")
        {
            RefusePrefixSpace(pre, path, "pre_tokenizer");
            if (pre["use_regex"]?.GetValue<bool>() == false)
                throw Refuse(path, "pre_tokenizer.use_regex", "false without a Split before it");
            return Gpt2Pattern;
        }
        if (type != "Sequence" || pre["pretokenizers"] is not JsonArray steps || steps.Count != 2
            || steps[0]?["type"]?.GetValue<string>() != "Split" || steps[1]?["type"]?.GetValue<string>() != "ByteLevel")
            throw Refuse(path, "pre_tokenizer", $"'{pre.ToJsonString()[..Math.Min(120, pre.ToJsonString().Length)]}' (supported: ByteLevel, or Sequence[Split(Regex), ByteLevel])");
        var split = steps[0]!;
        if (split["behavior"]?.GetValue<string>() != "Isolated" || split["invert"]?.GetValue<bool>() == true)
            throw Refuse(path, "pre_tokenizer.pretokenizers[0].behavior", $"'{split["behavior"]}' (only Isolated, not inverted)");
        RefusePrefixSpace(steps[1]!.AsObject(), path, "pre_tokenizer.pretokenizers[1]");
        return split["pattern"]?["Regex"]?.GetValue<string>()
               ?? throw Refuse(path, "pre_tokenizer.pretokenizers[0].pattern", "not a Regex pattern");
    }

    private static void RefusePrefixSpace(JsonObject byteLevel, string path, string key)
    {
        if (byteLevel["add_prefix_space"]?.GetValue<bool>() == true)
            throw Refuse(path, key + ".add_prefix_space", "true (a space added before the text is not implemented)");
    }

    private static Normalizer? Normalizer(JsonNode? normalizer, string path) => normalizer?["type"]?.GetValue<string>() switch
    {
        null => null,
        "NFC" when NfcNormalizer.Available => NfcNormalizer.Instance,
        "NFC" => throw new TokenizerException(
            $"{path}: normalizer.type is NFC, but this build runs with invariant globalization (no ICU), where .NET cannot compose "
            + "Unicode; encoding without it would give other ids than the tokenizer's. Run with DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=0 and ICU installed."),
        var other => throw Refuse(path, "normalizer.type", $"'{other}' (supported: none, NFC)"),
    };

    /// <summary>
    /// Special ids: the token tokenizer_config.json beside the file names, when the vocabulary has
    /// it; otherwise (no such file, or one written for another tokenizer) the usual end-of-text names.
    /// </summary>
    private static SpecialTokens Special(string path, Dictionary<string, int> added, Dictionary<string, int> vocab)
    {
        var config = ReadConfig(Path.Combine(Path.GetDirectoryName(path)!, "tokenizer_config.json"));
        int Id(string key, IEnumerable<string> fallback)
        {
            var name = TokenName(config?[key]);
            foreach (var candidate in name is null ? fallback : fallback.Prepend(name))
            {
                if (added.TryGetValue(candidate, out var id) || vocab.TryGetValue(candidate, out id))
                    return id;
            }
            return -1;
        }
        return new SpecialTokens(PadId: Id("pad_token", []), BosId: Id("bos_token", []), EosId: Id("eos_token", EosNames), UnkId: Id("unk_token", []));
    }

    private static JsonObject? ReadConfig(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // tokenizer_config.json writes a token either as a string or as an AddedToken object.
    private static string? TokenName(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonObject token => token["content"]?.GetValue<string>(),
        _ => null,
    };

    private static TokenizerException Refuse(string path, string key, string value) =>
        new($"{path}: {key} is {value}; PolyGlot loads byte-level BPE tokenizer.json files (GPT-2, Llama 3, Qwen style).");
}
