using PolyGlot.Common.IO;
using PolyGlot.Data.Loading;
using PolyGlot.Data.Shards;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// Synthetic prepared sources for <c>polyglot bench loader</c>, shaped like a real multilingual
/// corpus: English the largest source, non-English sources of falling size, a bilingual source;
/// document lengths log-normal (median 300 tokens, long tail, as web text); token ids
/// Zipf-like over a 32,000 vocabulary so that ZSTD compresses them about as it does real ids.
/// </summary>
internal static class BenchLoaderShards
{
    /// <summary>Written last: a directory holding it is complete and can be reused.</summary>
    public const string DoneMarker = "bench-complete";

    private const int Vocabulary = 32_000;
    private const int Eos = 2;
    private const long ShardTokens = 4_000_000;

    private static readonly (string Name, string Kind, string[] Languages, double Share)[] Sources =
    [
        ("en", SourceKinds.Monolingual, ["en"], 0.40),
        ("en-de", SourceKinds.Bilingual, ["en-de", "de-en"], 0.05),
        ("de", SourceKinds.Monolingual, ["de"], 0.20),
        ("fr", SourceKinds.Monolingual, ["fr"], 0.12),
        ("zh", SourceKinds.Monolingual, ["zh"], 0.09),
        ("ru", SourceKinds.Monolingual, ["ru"], 0.07),
        ("ja", SourceKinds.Monolingual, ["ja"], 0.04),
        ("ar", SourceKinds.Monolingual, ["ar"], 0.03),
    ];

    /// <summary>Writes about <paramref name="tokens"/> tokens as prepared source directories under <paramref name="root"/>.</summary>
    public static void Write(string root, long tokens)
    {
        var random = new Random(20_231_123);
        foreach (var (name, kind, languages, share) in Sources)
            WriteSource(Path.Combine(root, name), name, kind, languages, (long)(share * tokens), random);
        File.WriteAllText(Path.Combine(root, DoneMarker), "");
    }

    private static void WriteSource(string directory, string name, string kind, string[] languages, long tokens, Random random)
    {
        Directory.CreateDirectory(directory);
        var manifest = new ShardManifest { Source = name, Kind = kind, Languages = [.. languages],
            Tokenizer = new TokenizerFingerprint { Sha256 = "synthetic", VocabSize = Vocabulary, EosId = Eos, BosId = 1, PadId = 0 } };
        for (long written = 0; written < tokens;)
        {
            var entry = WriteShard(directory, manifest.Shards.Count, name, languages, Math.Min(ShardTokens, tokens - written), random);
            manifest.Shards.Add(entry);
            written += entry.Tokens;
        }
        foreach (var (language, count) in manifest.Shards.SelectMany(s => s.TokensPerLanguage))
            manifest.TokensPerLanguage[language] = manifest.TokensPerLanguage.GetValueOrDefault(language) + count;
        manifest.Documents = manifest.Shards.Sum(s => s.Documents);
        manifest.Tokens = manifest.Shards.Sum(s => s.Tokens);
        manifest.Save(directory);
    }

    private static ShardEntry WriteShard(string directory, int index, string source, string[] languages, long tokens, Random random)
    {
        var values = new int[tokens + 32_768];
        var offsets = new List<int> { 0 };
        var rowLanguages = new List<string>();
        var perLanguage = new SortedDictionary<string, long>(StringComparer.Ordinal);
        while (offsets[^1] < tokens)
        {
            var start = offsets[^1];
            var length = DocumentLength(random);
            for (var p = start; p < start + length - 1; p++)
                values[p] = 3 + (int)Math.Exp(random.NextDouble() * Math.Log(Vocabulary - 3));
            values[start + length - 1] = Eos;
            var language = languages[rowLanguages.Count % languages.Length];
            offsets.Add(start + length);
            rowLanguages.Add(language);
            perLanguage[language] = perLanguage.GetValueOrDefault(language) + length;
        }
        var file = ShardEntry.FileNameFor(index);
        var path = Path.Combine(directory, file);
        TokenShardWriter.Write(path, values, [.. offsets], rowLanguages, source);
        return new ShardEntry { File = file, Documents = rowLanguages.Count, Tokens = offsets[^1], TokensPerLanguage = perLanguage,
            Sha256 = FileHash.Sha256Hex(path) };
    }

    // Log-normal with median 300 tokens and sigma 1.1 (mean about 550), cut to [4, 32768].
    private static int DocumentLength(Random random)
    {
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (int)Math.Clamp(Math.Exp(Math.Log(300) + 1.1 * normal), 4, 32_768);
    }
}
