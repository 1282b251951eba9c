using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using PolyGlot.Tokenization.Imported;

namespace PolyGlot.Tokenization.Reporting;

/// <summary>
/// Published tokenizers to measure beside ours in the fertility report (OpenAI's o200k, any
/// tiktoken file, a Hugging Face byte-level BPE vocabulary), loaded as the same
/// <see cref="ByteLevelBpeTokenizer"/> that imported models use (Microsoft.ML.Tokenizers inside).
/// </summary>
public static partial class PublicTokenizer
{
    /// <summary>The name <c>--compare</c> takes for the o200k encoding built into the CLI (GPT-4o, GPT-4.1, o-series).</summary>
    public const string O200k = "o200k";

    private const string O200kEncoding = "o200k_base";
    private const string O200kDataAssembly = "Microsoft.ML.Tokenizers.Data.O200kBase";
    private const string O200kResource = "o200k_base.tiktoken.deflate";

    /// <summary>
    /// Loads <paramref name="spec"/>: <c>o200k</c> (built in), a <c>.tiktoken</c> file named after its
    /// encoding (<c>o200k_base</c>, <c>cl100k_base</c>, <c>p50k_base</c>, <c>r50k_base</c>), or a
    /// directory with a Hugging Face byte-level BPE <c>vocab.json</c> and <c>merges.txt</c> (GPT-2 style).
    /// </summary>
    /// <exception cref="TokenizerException">The spec names none of these; the message says what is accepted.</exception>
    public static ITokenizer Load(string spec)
    {
        if (spec == O200k || spec == O200kEncoding)
            return TiktokenFile.BuiltIn(O200kEncoding, OpenBuiltInO200k);
        if (Directory.Exists(spec))
            return FromHuggingFaceBpe(spec);
        if (File.Exists(spec))
            return TiktokenFile.Load(Path.GetFullPath(spec));
        throw new TokenizerException($"--compare {spec}: not found; pass 'o200k', a .tiktoken file or a directory " +
                                     "with a Hugging Face vocab.json and merges.txt.");
    }

    private static ByteLevelBpeTokenizer FromHuggingFaceBpe(string directory)
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
                PreTokenizer = new RegexPreTokenizer(Gpt2Pattern(), null),
            });
            var vocabSize = tokenizer.Vocabulary.Values.DefaultIfEmpty(-1).Max() + 1;
            var eos = tokenizer.Vocabulary.TryGetValue("<|endoftext|>", out var id) ? id : -1;
            var byId = tokenizer.Vocabulary.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);
            return new ByteLevelBpeTokenizer(tokenizer, byId.GetValueOrDefault, directory, vocabSize, new SpecialTokens(-1, -1, eos, -1),
                () => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(vocab).Concat(File.ReadAllBytes(merges)).ToArray())));
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new TokenizerException($"--compare {directory}: vocab.json / merges.txt do not form a BPE vocabulary: {e.Message}", e);
        }
    }

    // o200k_base.tiktoken as published (the CLI carries it compressed inside the data package).
    private static Stream OpenBuiltInO200k()
    {
        var deflated = Assembly.Load(O200kDataAssembly).GetManifestResourceStream(O200kResource)
            ?? throw new TokenizerException($"{O200kDataAssembly} lacks {O200kResource}; reinstall the CLI.");
        return new DeflateStream(deflated, CompressionMode.Decompress);
    }

    // GPT-2's pre-tokenizer: contractions, letter runs, digit runs, other symbols, each with one leading space.
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Pattern();
}
