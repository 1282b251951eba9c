using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using MlTokenizer = Microsoft.ML.Tokenizers.Tokenizer;

namespace PolyGlot.Tokenization.Reporting;

/// <summary>
/// A published tokenizer (OpenAI's o200k, any tiktoken file, a Hugging Face byte-level BPE
/// vocabulary) behind <see cref="ITokenizer"/>, so that the fertility report measures it on the
/// same text as ours. Encoding is Microsoft.ML.Tokenizers'.
/// </summary>
public sealed partial class PublicTokenizer : ITokenizer
{
    /// <summary>The name <c>--compare</c> takes for the o200k encoding built into the CLI (GPT-4o, GPT-4.1, o-series).</summary>
    public const string O200k = "o200k";

    private const string O200kEncoding = "o200k_base";
    private const string O200kDataAssembly = "Microsoft.ML.Tokenizers.Data.O200kBase";
    private const string O200kResource = "o200k_base.tiktoken.deflate";

    // tiktoken file names and the model whose pre-tokenizer regex Microsoft.ML.Tokenizers pairs with them.
    private static readonly Dictionary<string, string> ModelByEncoding = new(StringComparer.Ordinal)
    {
        ["o200k_base"] = "gpt-4o",
        ["cl100k_base"] = "gpt-4",
        ["p50k_base"] = "text-davinci-003",
        ["r50k_base"] = "davinci",
    };

    private readonly MlTokenizer _tokenizer;
    private readonly Func<string> _sha256;

    private PublicTokenizer(string modelPath, MlTokenizer tokenizer, int vocabSize, SpecialTokens special, Func<string> sha256)
    {
        ModelPath = modelPath;
        _tokenizer = tokenizer;
        VocabSize = vocabSize;
        Special = special;
        _sha256 = sha256;
    }

    /// <inheritdoc />
    public string ModelPath { get; }

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public SpecialTokens Special { get; }

    /// <summary>
    /// Loads <paramref name="spec"/>: <c>o200k</c> (built in), a <c>.tiktoken</c> file named after its
    /// encoding (<c>o200k_base</c>, <c>cl100k_base</c>, <c>p50k_base</c>, <c>r50k_base</c>), or a
    /// directory with a Hugging Face byte-level BPE <c>vocab.json</c> and <c>merges.txt</c> (GPT-2 style).
    /// </summary>
    /// <exception cref="TokenizerException">The spec names none of these; the message says what is accepted.</exception>
    public static PublicTokenizer Load(string spec)
    {
        if (spec == O200k || spec == O200kEncoding)
            return FromTiktoken(O200kEncoding, TiktokenTokenizer.CreateForEncoding(O200kEncoding), OpenBuiltInO200k);
        if (Directory.Exists(spec))
            return FromHuggingFaceBpe(spec);
        if (File.Exists(spec))
            return FromTiktokenFile(spec);
        throw new TokenizerException($"--compare {spec}: not found; pass 'o200k', a .tiktoken file or a directory " +
                                     "with a Hugging Face vocab.json and merges.txt.");
    }

    /// <inheritdoc />
    public string ComputeSha256() => _sha256();

    /// <inheritdoc />
    public int[] Encode(string text) => _tokenizer.EncodeToIds(text).ToArray();

    /// <inheritdoc />
    public int[][] EncodeBatch(IReadOnlyList<string> texts, int maxDegreeOfParallelism = -1)
    {
        var result = new int[texts.Count][];
        Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            i => result[i] = Encode(texts[i]));
        return result;
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids) => _tokenizer.Decode(ids.ToArray());

    /// <inheritdoc />
    public string IdToPiece(int id) => id >= 0 && id < VocabSize
        ? _tokenizer.Decode([id])
        : throw new TokenizerException($"Id {id} is outside the vocabulary of {ModelPath} ({VocabSize} ids).");

    /// <inheritdoc />
    public void Dispose()
    {
        // Microsoft.ML.Tokenizers holds managed memory only.
    }

    private static PublicTokenizer FromTiktokenFile(string path)
    {
        var encoding = Path.GetFileNameWithoutExtension(path);
        if (!ModelByEncoding.TryGetValue(encoding, out var model))
            throw new TokenizerException($"--compare {path}: a tiktoken file must be named after its encoding " +
                                         $"({string.Join(", ", ModelByEncoding.Keys.Select(k => k + ".tiktoken"))}), " +
                                         "which fixes its pre-tokenizer; rename it.");
        try
        {
            using var stream = File.OpenRead(path);
            return FromTiktoken(path, TiktokenTokenizer.CreateForModel(model, stream), () => File.OpenRead(path));
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new TokenizerException($"--compare {path}: not a tiktoken file (base64 token, space, rank per line): {e.Message}", e);
        }
    }

    // A tiktoken file holds one "base64 rank" line per regular token, ranks 0..n-1; special tokens come after.
    private static PublicTokenizer FromTiktoken(string modelPath, TiktokenTokenizer tokenizer, Func<Stream> open)
    {
        var specials = tokenizer.SpecialTokens ?? new Dictionary<string, int>();
        var eos = specials.TryGetValue("<|endoftext|>", out var id) ? id : -1;
        long ranks = 0;
        using (var reader = new StreamReader(open()))
            while (reader.ReadLine() is { } line)
                ranks += line.Length > 0 ? 1 : 0;
        var vocabSize = (int)Math.Max(ranks, specials.Values.DefaultIfEmpty(-1).Max() + 1L);
        return new PublicTokenizer(modelPath, tokenizer, vocabSize, new SpecialTokens(-1, -1, eos, -1), () =>
        {
            using var stream = open();
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
    }

    private static PublicTokenizer FromHuggingFaceBpe(string directory)
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
            return new PublicTokenizer(directory, tokenizer, vocabSize, new SpecialTokens(-1, -1, eos, -1),
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
