using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;

namespace PolyGlot.Data.Tests.Loading;

/// <summary>
/// Three single-language sources: "en" (group english, 2 shards), "de" (group non-english,
/// 3 shards) and "fr" (group non-english, one shard of 2 short documents, so it wraps its epoch
/// every few rows it is picked). Rows of 8 tokens, 4 sequences a step.
/// </summary>
internal static class MixedCorpus
{
    public const int SeqLen = 7;
    public const int GlobalBatch = 4;
    public const long TokensPerStep = GlobalBatch * (SeqLen + 1);
    public static readonly string[] Groups = ["english", "non-english"];

    public static (LoaderPlan Plan, MemoryShardReader Reader) Create(IReadOnlyList<CurriculumStage>? stages = null, bool boundaries = false,
        double alpha = 1.0)
    {
        var reader = new MemoryShardReader();
        LoaderSource[] sources =
        [
            reader.Add("en", "english", SyntheticCorpus.Shards("en", 0, [[5, 9, 3, 12, 7], [4, 11, 6, 8, 2]], (_, _) => "en")),
            reader.Add("de", "non-english", SyntheticCorpus.Shards("de", 1, [[6, 3, 10, 5], [7, 7, 4, 9], [3, 13, 5, 6]], (_, _) => "de")),
            reader.Add("fr", "non-english", SyntheticCorpus.Shards("fr", 2, [[4, 3]], (_, _) => "fr")),
        ];
        stages ??= [new CurriculumStage(long.MaxValue, StageTransition.Step, [0.5, 0.5])];
        return (SyntheticCorpus.Plan(sources, Groups, stages, SeqLen, GlobalBatch, alpha: alpha, boundaries: boundaries), reader);
    }

    /// <summary>The global batches of <paramref name="steps"/> steps, built by <paramref name="worldSize"/> ranks and joined.</summary>
    public static (List<int[]> Batches, DataState State) Run(LoaderPlan plan, IShardReader reader, DataState? from, int worldSize, int steps)
    {
        var builders = Enumerable.Range(0, worldSize).Select(r => new BatchBuilder(plan, reader, from, r, worldSize)).ToArray();
        var batches = new List<int[]>();
        for (var s = 0; s < steps; s++)
        {
            var slices = builders.Select(b =>
            {
                var batch = b.CreateBatch();
                b.Build(batch);
                return batch.Tokens;
            });
            batches.Add(slices.SelectMany(t => t).ToArray());
        }
        var states = builders.Select(b => b.State.ToJson()).Distinct().ToArray();
        Assert.Single(states);
        var state = builders[0].State.Clone();
        foreach (var b in builders)
            b.Dispose();
        return (batches, state);
    }
}
