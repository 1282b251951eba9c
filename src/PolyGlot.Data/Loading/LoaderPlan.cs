using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Mixing;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Everything that fixes which tokens land in which batch: sources, their groups and temperature,
/// the curriculum, the batch geometry and the seed. Built from the data configuration by
/// <see cref="DataPipeline"/>; with the data state it determines every batch.
/// </summary>
public sealed class LoaderPlan
{
    /// <summary>Creates a plan.</summary>
    /// <param name="sources">The sources, in configuration order.</param>
    /// <param name="groups">Group names; <see cref="LoaderSource.Group"/> must be one of them.</param>
    /// <param name="alphaOfGroup">Temperature exponent per group.</param>
    /// <param name="schedule">Group weights over the run.</param>
    /// <param name="languages">Every language code the sources may deliver.</param>
    /// <param name="sequenceLength">Input tokens per sequence (<c>seq_len</c>).</param>
    /// <param name="globalBatchSize">Sequences per global step over all ranks.</param>
    /// <param name="seed">Data seed.</param>
    /// <param name="documentBoundaries">Whether batches carry position and segment ids.</param>
    /// <param name="shuffle">What the shuffle inside a shard permutes.</param>
    public LoaderPlan(IReadOnlyList<LoaderSource> sources, IReadOnlyList<string> groups, IReadOnlyList<double> alphaOfGroup,
        CurriculumSchedule schedule, LanguageTable languages, int sequenceLength, int globalBatchSize, ulong seed,
        bool documentBoundaries, ShuffleUnit shuffle = ShuffleUnit.Documents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(globalBatchSize, 1);
        if (schedule.Stages[0].GroupWeights.Count != groups.Count)
            throw new ArgumentException("the curriculum must give one weight per group.", nameof(schedule));
        var groupOfSource = sources.Select(s => IndexOfGroup(groups, s)).ToArray();
        Sources = sources;
        Groups = groups;
        Schedule = schedule;
        Languages = languages;
        SequenceLength = sequenceLength;
        GlobalBatchSize = globalBatchSize;
        Seed = seed;
        DocumentBoundaries = documentBoundaries;
        Shuffle = shuffle;
        Mixing = new MixingPlan(groupOfSource, sources.Select(s => s.Tokens).ToArray(), alphaOfGroup);
    }

    /// <summary>The sources, in configuration order.</summary>
    public IReadOnlyList<LoaderSource> Sources { get; }

    /// <summary>The group names.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>Group weights over the run.</summary>
    public CurriculumSchedule Schedule { get; }

    /// <summary>Splits group weights among sources.</summary>
    public MixingPlan Mixing { get; }

    /// <summary>Every language code the sources may deliver.</summary>
    public LanguageTable Languages { get; }

    /// <summary>Input tokens per sequence.</summary>
    public int SequenceLength { get; }

    /// <summary>Sequences per global step.</summary>
    public int GlobalBatchSize { get; }

    /// <summary>Tokens delivered per global step: <c>global_batch_size x (seq_len + 1)</c>.</summary>
    public long TokensPerStep => (long)GlobalBatchSize * (SequenceLength + 1);

    /// <summary>The data seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether batches carry position and segment ids.</summary>
    public bool DocumentBoundaries { get; }

    /// <summary>What the shuffle inside a shard permutes.</summary>
    public ShuffleUnit Shuffle { get; }

    /// <summary>The state at the start of a run.</summary>
    public DataState InitialState() => new()
    {
        Seed = Seed,
        Shuffle = ShuffleUnits.NameOf(Shuffle),
        Sources = Sources.Select(s => new SourceState { Name = s.Name }).ToList(),
    };

    /// <summary>Checks that <paramref name="state"/> was produced by a plan with the same seed, shuffle and sources.</summary>
    /// <exception cref="InvalidDataException">It was not; the message says what differs.</exception>
    public void CheckCompatible(DataState state)
    {
        if (state.Seed != Seed)
            throw new InvalidDataException(
                $"the saved data state was produced with data.seed = {state.Seed}, the configuration says {Seed}; " +
                "restore the original seed to resume exactly.");
        if (state.Shuffle != ShuffleUnits.NameOf(Shuffle))
            throw new InvalidDataException(
                $"the saved data state was produced with data.shuffle = {state.Shuffle}, the configuration says {ShuffleUnits.NameOf(Shuffle)}; " +
                "restore the original setting to resume exactly.");
        var saved = state.Sources.Select(s => s.Name).ToArray();
        var configured = Sources.Select(s => s.Name).ToArray();
        if (!saved.SequenceEqual(configured, StringComparer.Ordinal))
            throw new InvalidDataException(
                $"the saved data state has sources [{string.Join(", ", saved)}], the configuration has " +
                $"[{string.Join(", ", configured)}]; resume with the sources (and order) the run started with.");
    }

    private static int IndexOfGroup(IReadOnlyList<string> groups, LoaderSource source)
    {
        for (var g = 0; g < groups.Count; g++)
            if (groups[g] == source.Group)
                return g;
        throw new ArgumentException($"source '{source.Name}' names group '{source.Group}', which the plan does not have.");
    }
}
