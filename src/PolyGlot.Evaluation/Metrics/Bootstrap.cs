namespace PolyGlot.Evaluation.Metrics;

/// <summary>
/// Standard errors of an aggregate metric by bootstrap resampling (Efron &amp; Tibshirani 1993):
/// the standard deviation of the metric over resamples of the samples drawn with replacement,
/// from a fixed seed so that a run's table is reproducible.
/// </summary>
public static class Bootstrap
{
    /// <summary>Resamples drawn by default (lm-evaluation-harness uses 100,000 for corpus metrics; 1,000 keeps CPUs quick).</summary>
    public const int DefaultIterations = 1000;

    /// <summary>The seed every standard error starts from.</summary>
    public const int Seed = 1234;

    /// <summary>The sample standard deviation of <paramref name="aggregate"/> over resamples of indices 0..n-1.</summary>
    public static double StandardError(int n, Func<IReadOnlyList<int>, double> aggregate, int iterations = DefaultIterations)
    {
        if (n < 2)
            return double.NaN;
        var random = new Random(Seed);
        var values = new double[iterations];
        var indices = new int[n];
        for (var b = 0; b < iterations; b++)
        {
            for (var i = 0; i < n; i++)
                indices[i] = random.Next(n);
            values[b] = aggregate(indices);
        }
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (iterations - 1));
    }
}
