using PolyGlot.Common.Configuration;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Turns a validated <see cref="DataConfig"/> into a <see cref="LoaderPlan"/>: reads every
/// source's manifest, assigns default groups, applies language filters, and resolves the
/// curriculum's stage ends against the length of the run.
/// </summary>
public static class DataPipeline
{
    private const string Origin = "data configuration";

    /// <summary>
    /// Resolves <paramref name="config"/> for a run of <paramref name="totalSteps"/> optimizer
    /// steps; relative source paths are taken from <paramref name="baseDirectory"/>.
    /// </summary>
    /// <exception cref="ConfigException">A manifest is missing or invalid, a filter names a language the source lacks, a weighted group has no source, or the sources disagree on the tokenizer.</exception>
    public static LoaderPlan Resolve(DataConfig config, long totalSteps, string baseDirectory = "")
    {
        var errors = new ConfigErrors();
        config.Validate(errors, "data");
        errors.ThrowIfAny(Origin);

        var resolved = ResolveSources(config, baseDirectory, errors);
        errors.ThrowIfAny(Origin);
        CheckSameTokenizer(resolved, errors);

        var groups = resolved.Select(r => r.Source.Group).Concat(config.Groups.Select(g => g.Name))
            .Distinct(StringComparer.Ordinal).ToList();
        var tokensPerStep = (long)config.GlobalBatchSize * (config.SeqLen + 1);
        var schedule = BuildSchedule(config, groups, resolved.Select(r => r.Source).ToList(), totalSteps * tokensPerStep, errors);
        errors.ThrowIfAny(Origin);

        var languages = new LanguageTable(resolved.SelectMany(r => r.Languages));
        return new LoaderPlan(resolved.Select(r => r.Source).ToList(), groups, groups.Select(config.AlphaOf).ToList(),
            schedule!, languages, config.SeqLen, config.GlobalBatchSize, (ulong)config.Seed, config.DocumentBoundaries);
    }

    private sealed record ResolvedSource(LoaderSource Source, IReadOnlyList<string> Languages, string TokenizerSha256, int Index);

    private static List<ResolvedSource> ResolveSources(DataConfig config, string baseDirectory, ConfigErrors errors)
    {
        var resolved = new List<ResolvedSource>();
        for (var i = 0; i < config.Sources.Count; i++)
        {
            var source = config.Sources[i];
            var key = ConfigPath.Index("data.sources", i);
            try
            {
                var shards = ShardDirectory.ListShards(Path.Combine(baseDirectory, source.Path), verifyHashes: false, out var manifest);
                if (ResolveOne(source, manifest, shards, key, errors) is { } loaderSource)
                    resolved.Add(new ResolvedSource(loaderSource, source.Languages ?? manifest.Languages, manifest.Tokenizer.Sha256, i));
            }
            catch (InvalidDataException e)
            {
                errors.Add(key + ".path", source.Path, e.Message);
            }
        }
        return resolved;
    }

    private static LoaderSource? ResolveOne(DataSourceConfig source, ShardManifest manifest, IReadOnlyList<string> shards,
        string key, ConfigErrors errors)
    {
        var filter = source.Languages?.ToHashSet(StringComparer.Ordinal);
        foreach (var language in source.Languages ?? [])
            errors.Require(manifest.Languages.Contains(language), key + ".languages", language,
                $"the source's manifest holds only [{string.Join(", ", manifest.Languages)}]");
        var tokens = filter is null
            ? manifest.Tokens
            : manifest.TokensPerLanguage.Where(p => filter.Contains(p.Key)).Sum(p => p.Value);
        errors.Require(tokens > 0 && shards.Count > 0, key + ".path", source.Path,
            "the source holds no tokens (after its language filter); remove it or prepare it again");
        return tokens > 0 && shards.Count > 0
            ? new LoaderSource(source.Name, source.Group ?? DefaultGroup(manifest), shards, filter, tokens)
            : null;
    }

    private static string DefaultGroup(ShardManifest manifest) =>
        manifest.Kind == SourceKinds.Bilingual ? PolyLmPreset.Bilingual
        : manifest.Languages.Count > 0 && manifest.Languages.All(l => l == "en") ? PolyLmPreset.English
        : PolyLmPreset.NonEnglish;

    private static void CheckSameTokenizer(List<ResolvedSource> resolved, ConfigErrors errors)
    {
        var first = resolved[0];
        foreach (var other in resolved.Skip(1).Where(r => !string.Equals(r.TokenizerSha256, first.TokenizerSha256, StringComparison.OrdinalIgnoreCase)))
            errors.Add(ConfigPath.Index("data.sources", other.Index) + ".path", other.Source.Name,
                $"was prepared with tokenizer sha256 {other.TokenizerSha256}, but source '{first.Source.Name}' with " +
                $"{first.TokenizerSha256}; every source of a run must use the same tokenizer");
    }

    private static CurriculumSchedule? BuildSchedule(DataConfig config, List<string> groups, List<LoaderSource> sources,
        long totalTokens, ConfigErrors errors)
    {
        if (config.Curriculum is null)
            return new CurriculumSchedule([new CurriculumStage(long.MaxValue, StageTransition.Step, SizeWeights(config, groups, sources))]);

        var stages = config.Curriculum.EffectiveStages();
        var resolved = new List<CurriculumStage>();
        for (var i = 0; i < stages.Count; i++)
        {
            var key = ConfigPath.Index("data.curriculum.stages", i);
            var weights = groups.Select(g => stages[i].Weights.GetValueOrDefault(g)).ToArray();
            foreach (var (group, weight) in stages[i].Weights.Where(p => p.Value > 0 && !groups.Contains(p.Key)))
                errors.Add($"{key}.weights.{group}", weight,
                    "no source belongs to this group; add a source with this group or set its weight to 0");
            if (weights.Sum() <= 0)
            {
                errors.Add($"{key}.weights", null, "gives no configured source a weight greater than 0");
                continue;
            }
            var end = EndOf(stages[i], i == stages.Count - 1, totalTokens, key, errors);
            resolved.Add(new CurriculumStage(end, stages[i].ParsedTransition, weights.Select(w => w / weights.Sum()).ToArray()));
        }
        return errors.IsEmpty ? new CurriculumSchedule(resolved) : null;
    }

    private static long EndOf(CurriculumStageConfig stage, bool last, long totalTokens, string key, ConfigErrors errors)
    {
        if (stage.UntilTokens is { } tokens)
            return tokens;
        if (stage.Until is null && last && totalTokens <= 0)
        {
            // An open last stage needs no run length, unless it has to ramp towards its end.
            errors.Require(stage.ParsedTransition == StageTransition.Step, key + ".transition", stage.Transition,
                "a linear last stage needs an end: give until_tokens or the run's length");
            return long.MaxValue;
        }
        var fraction = stage.Until ?? 1.0;
        if (totalTokens <= 0)
        {
            errors.Add(key + ".until", fraction, "a fraction of the run needs the run's length (train steps); use until_tokens instead");
            return long.MaxValue;
        }
        return Math.Max(1, (long)Math.Round(fraction * totalTokens));
    }

    private static double[] SizeWeights(DataConfig config, List<string> groups, List<LoaderSource> sources) =>
        groups.Select(g => sources.Where(s => s.Group == g).Sum(s => Math.Pow(s.Tokens, config.AlphaOf(g)))).ToArray();
}
