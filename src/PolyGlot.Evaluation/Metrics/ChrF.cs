namespace PolyGlot.Evaluation.Metrics;

/// <summary>
/// chrF (Popović 2015) and chrF++ (Popović 2017) as sacreBLEU 2 computes them: character n-grams
/// of orders 1..<see cref="CharOrder"/> over the text with its whitespace removed, word n-grams of
/// orders 1..<see cref="WordOrder"/> over whitespace-split words with one leading or trailing
/// punctuation mark split off, statistics summed over the corpus, and the F-beta score averaged
/// over the orders. With several references a segment takes the reference of highest sentence score.
/// </summary>
public sealed class ChrF
{
    private const double Epsilon = 1e-16;
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>Character n-gram orders (6).</summary>
    public int CharOrder { get; init; } = 6;

    /// <summary>Word n-gram orders: 0 for chrF, 2 for chrF++.</summary>
    public int WordOrder { get; init; } = 2;

    /// <summary>Weight of recall over precision (2).</summary>
    public double Beta { get; init; } = 2;

    /// <summary>sacreBLEU's <c>eps_smoothing</c> (chrF++.py's averaging of per-order F); off by default, averaging precision and recall over the orders that occur.</summary>
    public bool EpsSmoothing { get; init; }

    /// <summary>The corpus score in 0..100; <paramref name="references"/>[i] holds the references of hypothesis i.</summary>
    public double CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        var total = new long[3 * (CharOrder + WordOrder)];
        for (var i = 0; i < hypotheses.Count; i++)
        {
            var stats = SegmentStatistics(hypotheses[i], references[i]);
            for (var k = 0; k < total.Length; k++)
                total[k] += stats[k];
        }
        return Score(total);
    }

    /// <summary>(hypothesis n-grams, reference n-grams, matches) per order, against the best reference.</summary>
    public long[] SegmentStatistics(string hypothesis, IReadOnlyList<string> references)
    {
        var hyp = Extract(hypothesis);
        long[]? best = null;
        var bestScore = -1.0;
        foreach (var reference in references)
        {
            var stats = Compare(hyp, Extract(reference));
            var score = Score(stats);
            if (score > bestScore)
                (best, bestScore) = (stats, score);
        }
        return best ?? new long[3 * (CharOrder + WordOrder)];
    }

    /// <summary>The score in 0..100 of summed statistics.</summary>
    public double Score(IReadOnlyList<long> stats)
    {
        var orders = CharOrder + WordOrder;
        var factor = Beta * Beta;
        double fSum = 0, precisionSum = 0, recallSum = 0;
        var effective = 0;
        for (var i = 0; i < orders; i++)
        {
            long hyp = stats[3 * i], reference = stats[3 * i + 1], match = stats[3 * i + 2];
            var precision = hyp > 0 ? (double)match / hyp : Epsilon;
            var recall = reference > 0 ? (double)match / reference : Epsilon;
            var denominator = factor * precision + recall;
            fSum += denominator > 0 ? (1 + factor) * precision * recall / denominator : Epsilon;
            if (hyp > 0 && reference > 0)
                effective++;
            precisionSum += precision;
            recallSum += recall;
        }
        if (EpsSmoothing)
            return 100 * fSum / orders;
        if (effective == 0)
            return 0;
        double p = precisionSum / effective, r = recallSum / effective;
        return p + r > 0 ? 100 * (1 + factor) * p * r / (factor * p + r) : 0;
    }

    private long[] Compare(List<Dictionary<string, int>> hyp, List<Dictionary<string, int>> reference)
    {
        var stats = new long[3 * hyp.Count];
        for (var i = 0; i < hyp.Count; i++)
        {
            stats[3 * i] = hyp[i].Values.Sum();
            stats[3 * i + 1] = reference[i].Values.Sum();
            stats[3 * i + 2] = hyp[i].Sum(kv => Math.Min(kv.Value, reference[i].GetValueOrDefault(kv.Key)));
        }
        return stats;
    }

    // Counts per order: character orders first, then word orders (sacreBLEU's layout).
    private List<Dictionary<string, int>> Extract(string text)
    {
        var chars = string.Concat(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .EnumerateRunes().Select(r => r.ToString()).ToArray();
        var words = SplitWords(text);
        var orders = new List<Dictionary<string, int>>();
        for (var n = 1; n <= CharOrder; n++)
            orders.Add(Count(chars, n, ""));
        for (var n = 1; n <= WordOrder; n++)
            orders.Add(Count(words, n, " "));
        return orders;
    }

    private static Dictionary<string, int> Count(string[] units, int n, string separator)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i + n <= units.Length; i++)
        {
            var key = string.Join(separator, units, i, n);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    // A word longer than one character loses a trailing punctuation mark, else a leading one, as a token of its own.
    private static string[] SplitWords(string text)
    {
        var words = new List<string>();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Length > 1 && Punctuation.Contains(word[^1]))
                words.AddRange([word[..^1], word[^1..]]);
            else if (word.Length > 1 && Punctuation.Contains(word[0]))
                words.AddRange([word[..1], word[1..]]);
            else
                words.Add(word);
        }
        return words.ToArray();
    }
}
