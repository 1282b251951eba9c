using PolyGlot.Common.Configuration;
using PolyGlot.Data.Curriculum;

namespace PolyGlot.Data.Configuration;

/// <summary><c>data.curriculum</c>: a preset or a list of stages.</summary>
public sealed class CurriculumConfig
{
    /// <summary>A ready curriculum instead of <see cref="Stages"/>: <c>polylm</c>.</summary>
    public string? Preset { get; set; }

    /// <summary>The stages in order.</summary>
    public List<CurriculumStageConfig> Stages { get; set; } = [];

    /// <summary>The stages to use: the preset's or the configured ones.</summary>
    public IReadOnlyList<CurriculumStageConfig> EffectiveStages() => Preset == PolyLmPreset.Name
        ?
        [
            new() { Until = PolyLmPreset.FirstStageEnd, Weights = new(PolyLmPreset.FirstStage) },
            new() { Until = 1.0, Weights = new(PolyLmPreset.FinalStage) },
        ]
        : Stages;

    internal void Validate(ConfigErrors errors, string path, IReadOnlySet<string> knownGroups)
    {
        if (Preset is not null)
        {
            errors.RequireOneOf(Preset, [PolyLmPreset.Name], ConfigPath.Join(path, "preset"));
            errors.Require(Stages.Count == 0, ConfigPath.Join(path, "stages"), $"{Stages.Count} stages",
                "give either a preset or stages, not both");
            return;
        }
        var stagesKey = ConfigPath.Join(path, "stages");
        errors.Require(Stages.Count > 0, stagesKey, null, "must list at least one stage (or set curriculum.preset)");
        for (var i = 0; i < Stages.Count; i++)
            Stages[i].Validate(errors, ConfigPath.Index(stagesKey, i), i == 0, i == Stages.Count - 1, knownGroups);
        ValidateOrder(errors, stagesKey);
    }

    private void ValidateOrder(ConfigErrors errors, string stagesKey)
    {
        var fractions = Stages.Any(s => s.Until is not null);
        var absolute = Stages.Any(s => s.UntilTokens is not null);
        errors.Require(!(fractions && absolute), stagesKey, null,
            "use either until (fraction of the run) or until_tokens in all stages, not both");
        for (var i = 1; i < Stages.Count; i++)
        {
            var (previous, current) = (Stages[i - 1].End(), Stages[i].End());
            if (previous is not null && current is not null && current <= previous)
                errors.Add(ConfigPath.Index(stagesKey, i) + (fractions ? ".until" : ".until_tokens"), current,
                    $"stages must be in order: this stage must end after stage {i - 1} (which ends at {previous})");
        }
    }
}

/// <summary>One curriculum stage: group weights in force until a point of the run.</summary>
public sealed class CurriculumStageConfig
{
    /// <summary>End of the stage as a fraction of the run's tokens (0 &lt; until &lt;= 1); omitted on the last stage means the end of the run.</summary>
    public double? Until { get; set; }

    /// <summary>End of the stage as an absolute number of tokens consumed, instead of <see cref="Until"/>.</summary>
    public long? UntilTokens { get; set; }

    /// <summary><c>step</c> (weights apply at once) or <c>linear</c> (ramp from the previous stage's weights to these over the stage).</summary>
    public string Transition { get; set; } = "step";

    /// <summary>Weight per group; they must sum to 1.</summary>
    public Dictionary<string, double> Weights { get; set; } = [];

    /// <summary>Allowed deviation of the weight sum from 1 (weights written as rounded percentages still pass).</summary>
    public const double SumTolerance = 1e-3;

    /// <summary>The transition as an enum value.</summary>
    public StageTransition ParsedTransition => Transition == "linear" ? StageTransition.Linear : StageTransition.Step;

    internal double? End() => Until ?? UntilTokens;

    internal void Validate(ConfigErrors errors, string path, bool first, bool last, IReadOnlySet<string> knownGroups)
    {
        ValidateEnd(errors, path, last);
        var transitionKey = ConfigPath.Join(path, "transition");
        errors.RequireOneOf(Transition, ["step", "linear"], transitionKey);
        errors.Require(!(first && Transition == "linear"), transitionKey, Transition,
            "the first stage has no previous weights to ramp from; use step");
        ValidateWeights(errors, ConfigPath.Join(path, "weights"), knownGroups);
    }

    private void ValidateEnd(ConfigErrors errors, string path, bool last)
    {
        errors.Require(Until is null || UntilTokens is null, ConfigPath.Join(path, "until"), Until,
            "give until or until_tokens, not both");
        errors.Require(last || Until is not null || UntilTokens is not null, ConfigPath.Join(path, "until"), null,
            "every stage but the last must say where it ends (until or until_tokens)");
        if (Until is { } until)
            errors.Require(until > 0 && until <= 1, ConfigPath.Join(path, "until"), until,
                "must be a fraction of the run: greater than 0 and at most 1");
        if (UntilTokens is { } tokens)
            errors.RequirePositive(tokens, ConfigPath.Join(path, "until_tokens"));
    }

    private void ValidateWeights(ConfigErrors errors, string key, IReadOnlySet<string> knownGroups)
    {
        errors.Require(Weights.Count > 0, key, null, "must give a weight to at least one group");
        foreach (var (group, weight) in Weights)
        {
            errors.Require(knownGroups.Contains(group), ConfigPath.Join(key, group), group,
                $"unknown group; known groups: {string.Join(", ", knownGroups.Order(StringComparer.Ordinal))}");
            errors.Require(double.IsFinite(weight) && weight >= 0, ConfigPath.Join(key, group), weight,
                "must be 0 or greater");
        }
        var sum = Weights.Values.Sum();
        errors.Require(Weights.Count == 0 || Math.Abs(sum - 1) <= SumTolerance, key, Math.Round(sum, 6),
            $"weights must sum to 1 (within {SumTolerance}); they are shares of the sampled tokens");
    }
}
