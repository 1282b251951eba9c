using PolyGlot.Common.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// A data preparation config file: the corpus sources, and the settings of
/// <c>polyglot tokenizer train</c>, <c>polyglot prepare</c> and <c>polyglot tokenizer report</c>.
/// The sections are separate classes so that a larger run config can embed them.
/// </summary>
public sealed class DataPreparationConfig : IValidatedConfig
{
    /// <summary>The corpus sources (monolingual and bilingual).</summary>
    public List<CorpusSourceConfig> Sources { get; set; } = [];

    /// <summary>Tokenizer training settings.</summary>
    public TokenizerTrainingConfig Tokenizer { get; set; } = new();

    /// <summary>Shard preparation settings.</summary>
    public ShardPreparationConfig Prepare { get; set; } = new();

    /// <summary>Evaluation text of the fertility report.</summary>
    public FertilityReportConfig Report { get; set; } = new();

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        ValidateSources(Sources, errors, ConfigPath.Join(path, "sources"));
        Tokenizer.Validate(errors, ConfigPath.Join(path, "tokenizer"));
        Prepare.Validate(errors, ConfigPath.Join(path, "prepare"));
        Report.Validate(errors, ConfigPath.Join(path, "report"));
        var names = Sources.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        RequireKnown(Tokenizer.Sources, names, errors, ConfigPath.Join(path, "tokenizer.sources"));
        RequireKnown(Prepare.Sources, names, errors, ConfigPath.Join(path, "prepare.sources"));
    }

    /// <summary>The sources named in <paramref name="names"/> (all of them when it is empty), in config order.</summary>
    public IReadOnlyList<CorpusSourceConfig> Select(IReadOnlyCollection<string> names) =>
        names.Count == 0 ? Sources : Sources.Where(s => names.Contains(s.Name)).ToList();

    /// <summary>Validates a source list: each source, and names unique.</summary>
    public static void ValidateSources(List<CorpusSourceConfig> sources, ConfigErrors errors, string path)
    {
        for (var i = 0; i < sources.Count; i++)
            sources[i].Validate(errors, ConfigPath.Index(path, i));
        foreach (var duplicate in sources.GroupBy(s => s.Name).Where(g => g.Count() > 1))
            errors.Add(path, duplicate.Key, "source names must be unique (each names an output directory)");
    }

    private static void RequireKnown(List<string> selected, HashSet<string> names, ConfigErrors errors, string path)
    {
        for (var i = 0; i < selected.Count; i++)
            errors.Require(names.Contains(selected[i]), ConfigPath.Index(path, i), selected[i], "must name a source listed under sources");
    }
}

/// <summary>The <c>report:</c> section: held-out text to measure, separate from the training sources.</summary>
public sealed class FertilityReportConfig : IValidatedConfig
{
    /// <summary>Monolingual sources give tokens per byte/char/word; bilingual sources with English on one side give the premium.</summary>
    public List<CorpusSourceConfig> Sources { get; set; } = [];

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path) =>
        DataPreparationConfig.ValidateSources(Sources, errors, ConfigPath.Join(path, "sources"));
}
