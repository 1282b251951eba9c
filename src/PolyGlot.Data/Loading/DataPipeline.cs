using PolyGlot.Common.Configuration;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Turns a validated <see cref="DataConfig"/> into a <see cref="LoaderPlan"/>: reads every
/// source's manifest (a path may also be the output root of <c>polyglot prepare</c>, one
/// subdirectory per prepared source), splits multilingual monolingual sources per language,
/// assigns default groups, applies language filters, and resolves the curriculum's stage ends
/// against the length of the run.
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
            schedule!, languages, config.SeqLen, config.GlobalBatchSize, (ulong)config.Seed, config.DocumentBoundaries, config.ShuffleUnit);
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
                var found = PreparedDirectories.Find(Path.Combine(baseDirectory, source.Path))
                    .SelectMany(d => Expand(source, d.Directory, d.Name, i))
                    .ToList();
                CheckFilter(source, found, key, errors);
                resolved.AddRange(found.Where(r => r.Source.Tokens > 0));
            }
            catch (InvalidDataException e)
            {
                errors.Add(key + ".path", source.Path, e.Message);
            }
        }
        foreach (var duplicate in resolved.GroupBy(r => r.Source.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add(ConfigPath.Index("data.sources", duplicate.First().Index) + ".name", duplicate.Key,
                "two sources resolve to this name; rename one");
        return resolved;
    }

    /// <summary>
    /// The loader sources of one prepared directory: the directory as a whole, or, for a
    /// monolingual directory with several languages and no filter, one source per language, so
    /// that languages are mixed (and temperature-sampled) individually.
    /// </summary>
    private static IEnumerable<ResolvedSource> Expand(PreparedSourceConfig source, string directory, string? subdirectory, int index)
    {
        var shards = ShardDirectory.ListShards(directory, verifyHashes: false, out var manifest);
        var name = subdirectory is null ? source.Name : $"{source.Name}/{subdirectory}";
        var sha = manifest.Tokenizer.Sha256;
        if (source.Languages is null && manifest.Kind == SourceKinds.Monolingual && manifest.Languages.Count > 1)
        {
            foreach (var language in manifest.Languages)
                yield return new ResolvedSource(Create($"{name}/{language}", source, manifest, shards, [language]), [language], sha, index);
            yield break;
        }
        var kept = source.Languages?.Where(manifest.Languages.Contains).ToList() ?? manifest.Languages;
        yield return new ResolvedSource(Create(name, source, manifest, shards, source.Languages is null ? null : kept), kept, sha, index);
    }

    private static LoaderSource Create(string name, PreparedSourceConfig source, ShardManifest manifest, IReadOnlyList<string> shards,
        IReadOnlyList<string>? filter)
    {
        var tokens = filter is null
            ? manifest.Tokens
            : manifest.TokensPerLanguage.Where(p => filter.Contains(p.Key)).Sum(p => p.Value);
        var group = source.Group ?? DefaultGroup(manifest.Kind, filter ?? manifest.Languages);
        return new LoaderSource(name, group, shards, filter?.ToHashSet(StringComparer.Ordinal), tokens);
    }

    private static void CheckFilter(PreparedSourceConfig source, List<ResolvedSource> found, string key, ConfigErrors errors)
    {
        var present = found.SelectMany(r => r.Languages).ToHashSet(StringComparer.Ordinal);
        foreach (var language in source.Languages ?? [])
            errors.Require(present.Contains(language), key + ".languages", language,
                $"the source's manifests hold only [{string.Join(", ", present.Order(StringComparer.Ordinal))}]");
        errors.Require(found.Any(r => r.Source.Tokens > 0), key + ".path", source.Path,
            "the source holds no tokens (after its language filter); remove it or prepare it again");
    }

    private static string DefaultGroup(string kind, IReadOnlyList<string> languages) =>
        kind == SourceKinds.Bilingual ? PolyLmPreset.Bilingual
        : languages.Count > 0 && languages.All(l => l == "en") ? PolyLmPreset.English
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
