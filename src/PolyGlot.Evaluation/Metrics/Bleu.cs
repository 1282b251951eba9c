namespace PolyGlot.Evaluation.Metrics;

/// <summary>How BLEU treats an n-gram order without a match (sacreBLEU's <c>smooth_method</c>).</summary>
public enum BleuSmoothing
{
    /// <summary>No smoothing: a zero precision makes BLEU zero.</summary>
    None,

    /// <summary>mteval-v13a's: the k-th order without a match gets precision 1 / (2^k · total).</summary>
    Exp,

    /// <summary>A zero count becomes the smoothing value (sacreBLEU default 0.1).</summary>
    Floor,
}

/// <summary>
/// Corpus BLEU (Papineni et al. 2002) as sacreBLEU computes it: 13a tokenization (or none),
/// n-gram counts clipped by the maximum count in any reference, the closest reference length
/// (the shorter on a tie) for the brevity penalty, and the geometric mean of the precisions.
/// </summary>
public sealed class Bleu
{
    /// <summary>Highest n-gram order (4).</summary>
    public const int MaxOrder = 4;

    /// <summary>Smoothing of zero counts; sacreBLEU's default is <see cref="BleuSmoothing.Exp"/>.</summary>
    public BleuSmoothing Smoothing { get; init; } = BleuSmoothing.Exp;

    /// <summary>The count used by <see cref="BleuSmoothing.Floor"/>.</summary>
    public double FloorValue { get; init; } = 0.1;

    /// <summary>Tokenize with 13a (true, the default) or split on whitespace only (sacreBLEU's <c>tokenize='none'</c>).</summary>
    public bool Tokenize13a { get; init; } = true;

    /// <summary>Average only over the orders the hypothesis has n-grams of (sentence-level use).</summary>
    public bool EffectiveOrder { get; init; }

    /// <summary>One segment's statistics: matches and totals per order, hypothesis and reference length.</summary>
    public sealed record Statistics(long[] Correct, long[] Total, long HypothesisLength, long ReferenceLength)
    {
        /// <summary>The zero statistics.</summary>
        public static Statistics Zero => new(new long[MaxOrder], new long[MaxOrder], 0, 0);

        /// <summary>The element-wise sum, for corpus-level scores.</summary>
        public Statistics Add(Statistics other) => new(
            Correct.Zip(other.Correct, (a, b) => a + b).ToArray(), Total.Zip(other.Total, (a, b) => a + b).ToArray(),
            HypothesisLength + other.HypothesisLength, ReferenceLength + other.ReferenceLength);
    }

    /// <summary>Corpus BLEU in 0..100; <paramref name="references"/>[i] holds the references of hypothesis i.</summary>
    public double CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references) =>
        Score(hypotheses.Select((h, i) => SegmentStatistics(h, references[i])).Aggregate(Statistics.Zero, (a, b) => a.Add(b)));

    /// <summary>The statistics of one hypothesis against its references.</summary>
    public Statistics SegmentStatistics(string hypothesis, IReadOnlyList<string> references)
    {
        var hyp = Words(hypothesis);
        var hypCounts = NGrams(hyp);
        var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
        var refLength = -1;
        foreach (var reference in references)
        {
            var words = Words(reference);
            // The closest reference length; on a tie the shorter one (sacreBLEU's rule).
            if (refLength < 0 || Math.Abs(words.Length - hyp.Length) < Math.Abs(refLength - hyp.Length)
                || (Math.Abs(words.Length - hyp.Length) == Math.Abs(refLength - hyp.Length) && words.Length < refLength))
                refLength = words.Length;
            foreach (var (gram, count) in NGrams(words))
                maxRef[gram] = Math.Max(count, maxRef.GetValueOrDefault(gram));
        }
        var correct = new long[MaxOrder];
        var total = new long[MaxOrder];
        foreach (var (gram, count) in hypCounts)
        {
            var order = gram.Count(c => c == '\u0001');
            total[order] += count;
            correct[order] += Math.Min(count, maxRef.GetValueOrDefault(gram));
        }
        return new Statistics(correct, total, hyp.Length, Math.Max(refLength, 0));
    }

    /// <summary>BLEU in 0..100 from summed statistics, with this instance's smoothing.</summary>
    public double Score(Statistics stats)
    {
        if (stats.HypothesisLength == 0)
            return 0;
        var precisions = new double[MaxOrder];
        var effectiveOrder = MaxOrder;
        double smooth = 1;
        for (var n = 0; n < MaxOrder; n++)
        {
            if (stats.Total[n] == 0)
                break;
            if (EffectiveOrder)
                effectiveOrder = n + 1;
            if (stats.Correct[n] > 0)
                precisions[n] = 100.0 * stats.Correct[n] / stats.Total[n];
            else if (Smoothing == BleuSmoothing.Exp)
                precisions[n] = 100.0 / ((smooth *= 2) * stats.Total[n]);
            else if (Smoothing == BleuSmoothing.Floor)
                precisions[n] = 100.0 * FloorValue / stats.Total[n];
        }
        var brevity = stats.HypothesisLength < stats.ReferenceLength
            ? Math.Exp(1 - (double)stats.ReferenceLength / stats.HypothesisLength) : 1.0;
        // A zero precision contributes a log of -1e10, sacreBLEU's stand-in for log(0).
        var logMean = precisions.Take(effectiveOrder).Sum(p => p > 0 ? Math.Log(p) : -9_999_999_999) / effectiveOrder;
        return brevity * Math.Exp(logMean);
    }

    private string[] Words(string text) =>
        (Tokenize13a ? Tokenizer13a.Tokenize(text) : text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    // n-grams of orders 1..4 keyed by their words joined with \u0001, so the key's order is its separator count.
    private static Dictionary<string, int> NGrams(string[] words)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 1; n <= MaxOrder; n++)
            for (var i = 0; i + n <= words.Length; i++)
            {
                var key = string.Join('\u0001', words, i, n);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        return counts;
    }
}
