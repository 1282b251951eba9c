using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;

namespace PolyGlot.Training.Tests.Trainer;

/// <summary>
/// Two in-memory sources a small model can learn: "en" documents count up (t+1 after t) and "de"
/// documents step by 7 (mod 40), in disjoint id ranges, each from a random start and ending with
/// eos; groups english / non-english weighted 50/50. Vocabulary 100.
/// </summary>
internal sealed class LearnableCorpus : IShardReader
{
    public const int Vocab = 100, Eos = 2;

    private readonly Dictionary<string, ShardDocuments> _shards = new(StringComparer.Ordinal);

    public LearnableCorpus(int seqLen, int globalBatch, bool documentBoundaries = false)
    {
        var sources = new[]
        {
            Add("en", "english", "en", t => 10 + (t - 10 + 1) % 40),
            Add("de", "non-english", "de", t => 50 + (t - 50 + 7) % 40),
        };
        string[] groups = [PolyLmPreset.English, PolyLmPreset.NonEnglish];
        Plan = new LoaderPlan(sources, groups, [1.0, 1.0],
            new CurriculumSchedule([new CurriculumStage(long.MaxValue, StageTransition.Step, [0.5, 0.5])]),
            new LanguageTable(["de", "en"]), seqLen, globalBatch, seed: 5, documentBoundaries);
    }

    public LoaderPlan Plan { get; }

    public ShardDocuments Read(string path) =>
        _shards.TryGetValue(path, out var shard) ? shard : throw new InvalidDataException($"{path} does not exist.");

    private LoaderSource Add(string name, string group, string language, Func<int, int> next)
    {
        var random = new Random(name.Length * 31 + name[0]);
        var paths = new List<string>();
        long tokens = 0;
        for (var shard = 0; shard < 2; shard++)
        {
            var documents = Enumerable.Range(0, 40).Select(_ => Document(random, next, language == "en" ? 10 : 50)).ToArray();
            var offsets = new int[documents.Length + 1];
            for (var d = 0; d < documents.Length; d++)
                offsets[d + 1] = offsets[d] + documents[d].Length;
            var path = $"{name}/shard-{shard:D5}.parquet";
            _shards[path] = new ShardDocuments(path, documents.SelectMany(d => d).ToArray(), offsets,
                documents.Select(_ => language).ToArray());
            paths.Add(path);
            tokens += offsets[^1];
        }
        return new LoaderSource(name, group, paths, null, tokens);
    }

    private static int[] Document(Random random, Func<int, int> next, int first)
    {
        var length = random.Next(12, 40);
        var tokens = new int[length];
        tokens[0] = first + random.Next(40);
        for (var i = 1; i < length - 1; i++)
            tokens[i] = next(tokens[i - 1]);
        tokens[^1] = Eos;
        return tokens;
    }
}
