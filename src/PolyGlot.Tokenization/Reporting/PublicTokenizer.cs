using System.IO.Compression;
using System.Reflection;
using PolyGlot.Tokenization.Imported;

namespace PolyGlot.Tokenization.Reporting;

/// <summary>
/// Published tokenizers to measure beside ours in the fertility report (OpenAI's o200k, any
/// tiktoken file, a Hugging Face byte-level BPE vocabulary), loaded as the same
/// <see cref="ByteLevelBpeTokenizer"/> that imported models use (Microsoft.ML.Tokenizers inside).
/// </summary>
public static class PublicTokenizer
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
            return HfTokenizerJson.LoadVocabAndMerges(spec);
        if (File.Exists(spec))
            return TiktokenFile.Load(Path.GetFullPath(spec));
        throw new TokenizerException($"--compare {spec}: not found; pass 'o200k', a .tiktoken file or a directory " +
                                     "with a Hugging Face vocab.json and merges.txt.");
    }

    // o200k_base.tiktoken as published (the CLI carries it compressed inside the data package).
    private static Stream OpenBuiltInO200k()
    {
        var deflated = Assembly.Load(O200kDataAssembly).GetManifestResourceStream(O200kResource)
            ?? throw new TokenizerException($"{O200kDataAssembly} lacks {O200kResource}; reinstall the CLI.");
        return new DeflateStream(deflated, CompressionMode.Decompress);
    }

}
