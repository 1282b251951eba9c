using PolyGlot.Common.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;

namespace PolyGlot.Training.Configuration;

/// <summary>The <c>eval:</c> section: held-out loss and bits per byte per language, every N steps.</summary>
public sealed class EvalConfig : IValidatedConfig
{
    /// <summary>Evaluate every this many steps (0 disables evaluation).</summary>
    public int EverySteps { get; set; }

    /// <summary>Batches of held-out data per evaluation (bounds its cost).</summary>
    public int MaxBatches { get; set; } = 8;

    /// <summary>
    /// Held-out text, in the corpus format of data preparation (text, JSONL, bilingual pairs);
    /// tokenized at evaluation time so that bits per byte can divide by the text's UTF-8 bytes.
    /// Loss and bits per byte are reported per language.
    /// </summary>
    public List<CorpusSourceConfig> Sources { get; set; } = [];

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireNonNegative(EverySteps, ConfigPath.Join(path, "every_steps"));
        errors.RequirePositive(MaxBatches, ConfigPath.Join(path, "max_batches"));
        var sourcesKey = ConfigPath.Join(path, "sources");
        errors.Require(EverySteps == 0 || Sources.Count > 0, sourcesKey, null,
            "must list at least one held-out source when every_steps is set (or set every_steps: 0)");
        DataPreparationConfig.ValidateSources(Sources, errors, sourcesKey);
    }
}
