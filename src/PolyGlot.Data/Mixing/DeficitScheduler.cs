namespace PolyGlot.Data.Mixing;

/// <summary>
/// Chooses the source of each packed sequence by counters instead of random draws: every source
/// earns credit equal to its scheduled share per sequence, the source with the most credit is
/// chosen and pays one whole sequence (smooth weighted round robin). Realised counts therefore
/// stay within a few sequences of the scheduled ones over any window, and the choice is a pure
/// function of the credits, which live in the resumable data state.
/// </summary>
public sealed class DeficitScheduler
{
    private readonly long[] _credits;

    /// <summary>Creates a scheduler over <paramref name="sources"/> sources, all credits zero.</summary>
    public DeficitScheduler(int sources) => _credits = new long[sources];

    /// <summary>Creates a scheduler that continues from saved credits.</summary>
    public DeficitScheduler(ReadOnlySpan<long> credits) => _credits = credits.ToArray();

    /// <summary>The current credit of each source, in units of <see cref="FixedShares.Scale"/> per sequence.</summary>
    public ReadOnlySpan<long> Credits => _credits;

    /// <summary>
    /// Picks the source of the next sequence given each source's share (from
    /// <see cref="FixedShares.FromWeights"/>). A source whose share is zero is never picked and
    /// its credit is forgotten, so a source switched off by the curriculum stays off.
    /// </summary>
    public int Next(ReadOnlySpan<long> shares)
    {
        if (shares.Length != _credits.Length)
            throw new ArgumentException($"expected {_credits.Length} shares, got {shares.Length}.", nameof(shares));
        var best = -1;
        for (var i = 0; i < _credits.Length; i++)
        {
            if (shares[i] <= 0)
            {
                _credits[i] = 0;
                continue;
            }
            _credits[i] += shares[i];
            if (best < 0 || _credits[i] > _credits[best])
                best = i;
        }
        if (best < 0)
            throw new InvalidOperationException("no source has a share greater than 0.");
        _credits[best] -= FixedShares.Scale;
        return best;
    }
}
