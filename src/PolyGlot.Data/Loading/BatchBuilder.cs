using PolyGlot.Data.Mixing;
using PolyGlot.Data.Packing;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Builds batches synchronously: a pure function of (plan, state). For every sequence of the
/// global batch the curriculum's weights at the current token count set each source's share, the
/// deficit scheduler picks the source, and the packer fills the row, or skips it when it belongs
/// to another rank. Every rank therefore walks the same global batch and the same state, whatever
/// the world size; skipping needs document lengths only, so a rank decodes just the shard blocks
/// that hold documents of its own rows.
/// </summary>
public sealed class BatchBuilder : IDisposable
{
    private readonly LoaderPlan _plan;
    private readonly SourceStream[] _streams;
    private readonly DeficitScheduler _scheduler;
    private readonly SequencePacker _packer;
    private readonly DataState _state;
    private readonly long[] _globalTokensPerLanguage;

    /// <summary>
    /// Creates a builder for rank <paramref name="rank"/> of <paramref name="worldSize"/>, starting
    /// at <paramref name="state"/> (null: the start of the run).
    /// </summary>
    /// <exception cref="ArgumentException">The global batch does not divide by the world size, or the rank is out of range.</exception>
    /// <exception cref="InvalidDataException">The state belongs to another seed or source list.</exception>
    public BatchBuilder(LoaderPlan plan, IShardReader reader, DataState? state, int rank, int worldSize, bool readAhead = true)
    {
        if (worldSize < 1 || plan.GlobalBatchSize % worldSize != 0)
            throw new ArgumentException(
                $"data.global_batch_size = {plan.GlobalBatchSize} must be divisible by the number of ranks ({worldSize}).",
                nameof(worldSize));
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        _plan = plan;
        _state = state?.Clone() ?? plan.InitialState();
        plan.CheckCompatible(_state);
        Rank = rank;
        RowsPerRank = plan.GlobalBatchSize / worldSize;
        _streams = plan.Sources
            .Select((s, i) => new SourceStream(s, reader, plan.Languages, plan.Seed, _state.Sources[i], readAhead,
                decodeWholeShards: worldSize == 1, plan.Shuffle))
            .ToArray();
        _scheduler = new DeficitScheduler(_state.Sources.Select(s => s.Credit).ToArray());
        _packer = new SequencePacker(plan.SequenceLength, plan.DocumentBoundaries);
        _globalTokensPerLanguage = new long[plan.Languages.Codes.Count];
    }

    /// <summary>This builder's rank.</summary>
    public int Rank { get; }

    /// <summary>Sequences per rank and step.</summary>
    public int RowsPerRank { get; }

    /// <summary>The state after the last batch built (live; clone it to keep it).</summary>
    public DataState State => _state;

    /// <summary>Allocates a batch this builder can fill.</summary>
    public Batch CreateBatch() =>
        new(RowsPerRank, _packer.RowLength, _plan.Languages.Codes.Count, _plan.DocumentBoundaries, _plan.Sources.Count);

    /// <summary>Fills <paramref name="batch"/> with the next step's slice and advances the state.</summary>
    public void Build(Batch batch)
    {
        var shares = _plan.Mixing.SourceShares(_plan.Schedule.WeightsAt(_state.TokensConsumed));
        Array.Clear(batch.TokensPerLanguage);
        Array.Clear(batch.GlobalRowsPerSource);
        Array.Clear(_globalTokensPerLanguage);
        var first = Rank * RowsPerRank;
        for (var g = 0; g < _plan.GlobalBatchSize; g++)
        {
            var source = _scheduler.Next(shares);
            batch.GlobalRowsPerSource[source]++;
            var local = g - first;
            if (local >= 0 && local < RowsPerRank)
            {
                _packer.Fill(_streams[source], RowOf(batch, local), batch.TokensPerLanguage);
                batch.SourceIds[local] = source;
            }
            else
            {
                _packer.Skip(_streams[source], _globalTokensPerLanguage);
            }
        }
        Advance(batch);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var stream in _streams)
            stream.Dispose();
    }

    private void Advance(Batch batch)
    {
        batch.Step = _state.Step;
        batch.Languages = _plan.Languages.Codes;
        var credits = _scheduler.Credits;
        for (var i = 0; i < _streams.Length; i++)
            _state.Sources[i].Credit = credits[i];
        for (var id = 0; id < _globalTokensPerLanguage.Length; id++)
        {
            var total = _globalTokensPerLanguage[id] + batch.TokensPerLanguage[id];
            if (total == 0)
                continue;
            var code = _plan.Languages.Codes[id];
            _state.TokensPerLanguage[code] = _state.TokensPerLanguage.GetValueOrDefault(code) + total;
        }
        _state.Step++;
        _state.TokensConsumed += _plan.TokensPerStep;
        batch.StateAfter = _state.Clone();
    }

    private PackedRow RowOf(Batch batch, int row)
    {
        var start = row * batch.RowLength;
        return new PackedRow(
            batch.Tokens.AsSpan(start, batch.RowLength),
            batch.LanguageIds.AsSpan(start, batch.RowLength),
            batch.PositionIds is null ? [] : batch.PositionIds.AsSpan(start, batch.RowLength),
            batch.SegmentIds is null ? [] : batch.SegmentIds.AsSpan(start, batch.RowLength));
    }
}
