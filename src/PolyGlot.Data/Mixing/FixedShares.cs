namespace PolyGlot.Data.Mixing;

/// <summary>
/// Turns real-valued mixing weights into integer shares that sum to exactly <see cref="Scale"/>,
/// so that the scheduler's bookkeeping is exact integer arithmetic: it serializes without
/// rounding and replays identically after a resume.
/// </summary>
public static class FixedShares
{
    /// <summary>The integer that stands for a share of 1 (one whole sequence).</summary>
    public const long Scale = 1L << 30;

    /// <summary>
    /// Normalizes <paramref name="weights"/> (non-negative, not all zero) and rounds them to
    /// integers summing to <see cref="Scale"/> by the largest-remainder method (ties to the lower
    /// index); a positive weight never rounds to zero.
    /// </summary>
    /// <exception cref="ArgumentException">A weight is negative or not finite, or all are zero.</exception>
    public static long[] FromWeights(ReadOnlySpan<double> weights)
    {
        double total = 0;
        foreach (var w in weights)
        {
            if (!double.IsFinite(w) || w < 0)
                throw new ArgumentException($"mixing weights must be finite and >= 0; got {w}.", nameof(weights));
            total += w;
        }
        if (total <= 0)
            throw new ArgumentException("at least one mixing weight must be greater than 0.", nameof(weights));

        var shares = new long[weights.Length];
        var remainders = new double[weights.Length];
        long assigned = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var exact = weights[i] / total * Scale;
            shares[i] = (long)Math.Floor(exact);
            if (weights[i] > 0 && shares[i] == 0)
                shares[i] = 1;
            remainders[i] = exact - Math.Floor(exact);
            assigned += shares[i];
        }
        DistributeRest(shares, remainders, Scale - assigned);
        return shares;
    }

    private static void DistributeRest(long[] shares, double[] remainders, long rest)
    {
        // rest is small (at most the number of weights) in either direction.
        var order = Enumerable.Range(0, shares.Length)
            .OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; rest > 0; k = (k + 1) % order.Length)
        {
            if (shares[order[k]] == 0)
                continue;
            shares[order[k]]++;
            rest--;
        }
        for (var k = order.Length - 1; rest < 0; k = (k - 1 + order.Length) % order.Length)
        {
            if (shares[order[k]] <= 1)
                continue;
            shares[order[k]]--;
            rest++;
        }
    }
}
