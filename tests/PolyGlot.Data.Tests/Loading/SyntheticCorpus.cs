using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;

namespace PolyGlot.Data.Tests.Loading;

/// <summary>
/// Tiny corpora with known token ids: in source s, shard h, document d the tokens are
/// <c>Id(s, h, d, 0..len-2)</c> followed by <see cref="Eos"/>, so every non-eos token is unique and
/// tells where it came from.
/// </summary>
internal static class SyntheticCorpus
{
    public const int Eos = 2;

    public static int Id(int source, int shard, int document, int position) =>
        1_000_000 * (source + 1) + 10_000 * shard + 100 * document + position + 10;

    public static int[] Document(int source, int shard, int document, int length)
    {
        var tokens = new int[length];
        for (var p = 0; p < length - 1; p++)
            tokens[p] = Id(source, shard, document, p);
        tokens[^1] = Eos;
        return tokens;
    }

    /// <summary>Builds the shards of one source: <paramref name="lengths"/>[h][d] is the length of document d in shard h.</summary>
    public static IEnumerable<ShardDocuments> Shards(string name, int source, int[][] lengths, Func<int, int, string> language)
    {
        for (var h = 0; h < lengths.Length; h++)
        {
            var docs = lengths[h].Select((len, d) => Document(source, h, d, len)).ToArray();
            yield return Flatten($"{name}/shard-{h:D5}.parquet", docs, docs.Select((_, d) => language(h, d)).ToArray());
        }
    }

    public static ShardDocuments Flatten(string path, int[][] documents, string[] languages)
    {
        var offsets = new int[documents.Length + 1];
        for (var d = 0; d < documents.Length; d++)
            offsets[d + 1] = offsets[d] + documents[d].Length;
        return new ShardDocuments(path, documents.SelectMany(x => x).ToArray(), offsets, languages);
    }

    /// <summary>Every token of <paramref name="shard"/>, document after document.</summary>
    public static IEnumerable<int> AllTokens(ShardDocuments shard) =>
        Enumerable.Range(0, shard.Count).SelectMany(d => shard.Document(d).ToArray());

    /// <summary>A single-stage plan over the given sources with the given group weights.</summary>
    public static LoaderPlan Plan(IReadOnlyList<LoaderSource> sources, IReadOnlyList<string> groups, IReadOnlyList<CurriculumStage> stages,
        int seqLen, int globalBatch, ulong seed = 7, double alpha = 1.0, bool boundaries = false, IEnumerable<string>? languages = null,
        ShuffleUnit shuffle = ShuffleUnit.Documents) =>
        new(sources, groups, groups.Select(_ => alpha).ToList(), new CurriculumSchedule(stages),
            new LanguageTable(languages ?? ["de", "en", "fr"]), seqLen, globalBatch, seed, boundaries, shuffle);
}

/// <summary>Serves shards from memory and counts reads; thread-safe like a real reader.</summary>
internal sealed class MemoryShardReader : IShardReader
{
    private readonly Dictionary<string, ShardDocuments> _shards = new(StringComparer.Ordinal);
    private int _reads;

    public int Reads => _reads;

    public LoaderSource Add(string name, string group, IEnumerable<ShardDocuments> shards, IReadOnlySet<string>? languages = null)
    {
        var list = shards.ToList();
        foreach (var shard in list)
            _shards[shard.Path] = shard;
        var tokens = list.Sum(s => (long)s.TokenCount);
        return new LoaderSource(name, group, list.Select(s => s.Path).ToList(), languages, tokens);
    }

    public ShardDocuments Read(string path)
    {
        Interlocked.Increment(ref _reads);
        return _shards.TryGetValue(path, out var shard) ? shard : throw new InvalidDataException($"{path} does not exist.");
    }
}
