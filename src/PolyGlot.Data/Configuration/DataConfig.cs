using PolyGlot.Common.Configuration;
using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Configuration;

/// <summary>
/// The <c>data:</c> section of a run configuration: which prepared sources feed the run, how
/// they are grouped and mixed over time, and the batch geometry.
/// </summary>
public sealed class DataConfig : IValidatedConfig
{
    /// <summary>The groups a source falls into by default (see <see cref="PreparedSourceConfig.Group"/>).</summary>
    public static IReadOnlyList<string> DefaultGroups { get; } =
        [PolyLmPreset.English, PolyLmPreset.NonEnglish, PolyLmPreset.Bilingual];

    /// <summary>The prepared sources.</summary>
    public List<PreparedSourceConfig> Sources { get; set; } = [];

    /// <summary>Optional per-group settings.</summary>
    public List<DataGroupConfig> Groups { get; set; } = [];

    /// <summary>Temperature exponent inside a group (p ∝ n^alpha): 1 follows size, 0 is uniform; default 0.3 favours low-resource languages.</summary>
    public double Alpha { get; set; } = 0.3;

    /// <summary>Group weights over the run; without it every source is sampled by n^alpha of its group.</summary>
    public CurriculumConfig? Curriculum { get; set; }

    /// <summary>Input tokens per sequence; rows hold <c>seq_len + 1</c> tokens.</summary>
    public int SeqLen { get; set; } = 2048;

    /// <summary>Sequences per optimizer step over all data-parallel ranks; must divide by the rank count.</summary>
    public int GlobalBatchSize { get; set; } = 8;

    /// <summary>Seed of every shuffle; with the data state it fixes every batch.</summary>
    public long Seed { get; set; } = 1234;

    /// <summary>
    /// What the shuffle inside a shard permutes: <c>documents</c> (default) or <c>row_groups</c>
    /// (each row group's documents stay together, so a data-parallel rank decodes little beyond its own rows).
    /// </summary>
    public string Shuffle { get; set; } = ShuffleUnits.Documents;

    /// <summary>The parsed <see cref="Shuffle"/> (valid after <see cref="Validate"/>).</summary>
    public ShuffleUnit ShuffleUnit => ShuffleUnits.ByName.GetValueOrDefault(Shuffle);

    /// <summary>Emit position ids and segment ids that restart at document boundaries.</summary>
    public bool DocumentBoundaries { get; set; }

    /// <summary>Batches the background thread keeps ready.</summary>
    public int PrefetchBatches { get; set; } = 4;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        ValidateSources(errors, ConfigPath.Join(path, "sources"));
        ValidateGroups(errors, ConfigPath.Join(path, "groups"));
        errors.RequireRange(Alpha, 0, 1, ConfigPath.Join(path, "alpha"));
        errors.RequireRange(SeqLen, 1, 1 << 20, ConfigPath.Join(path, "seq_len"));
        errors.RequirePositive(GlobalBatchSize, ConfigPath.Join(path, "global_batch_size"));
        errors.RequireNonNegative(Seed, ConfigPath.Join(path, "seed"));
        errors.RequireOneOf(Shuffle, ShuffleUnits.ByName.Keys.ToList(), ConfigPath.Join(path, "shuffle"));
        errors.RequireRange(PrefetchBatches, 1, 1024, ConfigPath.Join(path, "prefetch_batches"));
        Curriculum?.Validate(errors, ConfigPath.Join(path, "curriculum"), KnownGroups());
    }

    /// <summary>
    /// Groups that exist in this configuration: those named by sources or declared under
    /// <c>groups</c>, plus the default groups when some source takes its group from its manifest.
    /// </summary>
    public IReadOnlySet<string> KnownGroups()
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in Sources)
        {
            if (source.Group is null)
                known.UnionWith(DefaultGroups);
            else
                known.Add(source.Group);
        }
        known.UnionWith(Groups.Select(g => g.Name));
        return known;
    }

    /// <summary>Temperature exponent of <paramref name="group"/>.</summary>
    public double AlphaOf(string group) => Groups.FirstOrDefault(g => g.Name == group)?.Alpha ?? Alpha;

    /// <summary>
    /// Checks that every source was tokenized with the run's tokenizer (the SHA-256 of its
    /// <c>.model</c> file), relative paths resolved against <paramref name="baseDirectory"/>.
    /// </summary>
    /// <exception cref="ConfigException">A manifest is missing or names another tokenizer; every such source is listed.</exception>
    public void CheckTokenizer(string expectedSha256, string baseDirectory = "")
    {
        var errors = new ConfigErrors();
        for (var i = 0; i < Sources.Count; i++)
        {
            var key = ConfigPath.Index("data.sources", i) + ".path";
            try
            {
                foreach (var (directory, _) in PreparedDirectories.Find(System.IO.Path.Combine(baseDirectory, Sources[i].Path)))
                {
                    var manifest = ShardManifest.Load(directory);
                    errors.Require(string.Equals(manifest.Tokenizer.Sha256, expectedSha256, StringComparison.OrdinalIgnoreCase),
                        key, directory,
                        $"was prepared with tokenizer sha256 {manifest.Tokenizer.Sha256}, but the run's tokenizer is {expectedSha256}; " +
                        "re-run `polyglot prepare` with the run's tokenizer");
                }
            }
            catch (InvalidDataException e)
            {
                errors.Add(key, Sources[i].Path, e.Message);
            }
        }
        errors.ThrowIfAny("data configuration");
    }

    private void ValidateSources(ConfigErrors errors, string key)
    {
        errors.Require(Sources.Count > 0, key, null, "must list at least one prepared source");
        for (var i = 0; i < Sources.Count; i++)
            Sources[i].Validate(errors, ConfigPath.Index(key, i));
        foreach (var duplicate in Sources.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add(key, duplicate.Key, "source names must be unique");
    }

    private void ValidateGroups(ConfigErrors errors, string key)
    {
        for (var i = 0; i < Groups.Count; i++)
            Groups[i].Validate(errors, ConfigPath.Index(key, i));
        foreach (var duplicate in Groups.GroupBy(g => g.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add(key, duplicate.Key, "group names must be unique");
    }
}
