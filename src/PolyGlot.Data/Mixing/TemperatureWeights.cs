namespace PolyGlot.Data.Mixing;

/// <summary>
/// Temperature sampling inside a group (XLM-R, PolyLM): a source holding n tokens gets a weight
/// proportional to n^alpha. alpha = 1 samples in proportion to size, alpha = 0 uniformly, values
/// in between up-sample small (low-resource) sources.
/// </summary>
public static class TemperatureWeights
{
    /// <summary>Weights n_i^alpha normalized to sum to 1; a source with no tokens gets 0.</summary>
    /// <exception cref="ArgumentException">alpha is negative, a count is negative, or all counts are zero.</exception>
    public static double[] Compute(ReadOnlySpan<long> tokens, double alpha)
    {
        if (!double.IsFinite(alpha) || alpha < 0)
            throw new ArgumentException($"alpha must be >= 0; got {alpha}.", nameof(alpha));
        var weights = new double[tokens.Length];
        double total = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] < 0)
                throw new ArgumentException($"token counts must be >= 0; got {tokens[i]}.", nameof(tokens));
            weights[i] = tokens[i] == 0 ? 0 : Math.Pow(tokens[i], alpha);
            total += weights[i];
        }
        if (total <= 0)
            throw new ArgumentException("at least one source must hold tokens.", nameof(tokens));
        for (var i = 0; i < weights.Length; i++)
            weights[i] /= total;
        return weights;
    }
}
