namespace PolyGlot.Tokenization.Training;

/// <summary>
/// Language-balanced quotas for the tokenizer sample: p(lang) ∝ n(lang)^alpha, scaled to a
/// sentence budget. alpha &lt; 1 flattens the distribution so that small languages get more of
/// the vocabulary than their raw share (XLM/mT5-style temperature sampling, T = 1/alpha).
/// </summary>
public static class LanguageSampler
{
    /// <summary>The sampling probabilities p(lang) = n^alpha / Σ n^alpha (languages with n = 0 get 0).</summary>
    public static IReadOnlyDictionary<string, double> Probabilities(IReadOnlyDictionary<string, long> counts, double alpha)
    {
        var weights = counts.ToDictionary(kv => kv.Key, kv => kv.Value > 0 ? Math.Pow(kv.Value, alpha) : 0.0);
        var total = weights.Values.Sum();
        return weights.ToDictionary(kv => kv.Key, kv => total > 0 ? kv.Value / total : 0.0);
    }

    /// <summary>
    /// Sentences to draw per language: budget × p(lang), never more than the language has. A
    /// language that runs out hands its unused share to the others in proportion to their
    /// p (water-filling), so the budget is spent whenever the corpus is large enough.
    /// </summary>
    public static IReadOnlyDictionary<string, long> Quotas(IReadOnlyDictionary<string, long> counts, double alpha, long budget)
    {
        var p = Probabilities(counts, alpha);
        var quotas = counts.Keys.ToDictionary(k => k, _ => 0L);
        var open = new HashSet<string>(counts.Keys.Where(k => counts[k] > 0));
        var remaining = Math.Min(budget, counts.Values.Sum());
        while (remaining > 0 && open.Count > 0)
        {
            var mass = open.Sum(k => p[k]);
            var capped = open.Where(k => quotas[k] + remaining * p[k] / mass >= counts[k]).ToList();
            if (capped.Count == 0)
            {
                Distribute(open, p, mass, remaining, quotas);
                break;
            }
            foreach (var k in capped)
            {
                remaining -= counts[k] - quotas[k];
                quotas[k] = counts[k];
                open.Remove(k);
            }
        }
        return quotas;
    }

    // Splits `amount` over `keys` by p with largest-remainder rounding, so the total is exact.
    private static void Distribute(HashSet<string> keys, IReadOnlyDictionary<string, double> p, double mass,
        long amount, Dictionary<string, long> quotas)
    {
        var exact = keys.OrderBy(k => k, StringComparer.Ordinal)
            .Select(k => (Key: k, Share: amount * p[k] / mass)).ToList();
        var given = 0L;
        foreach (var (key, share) in exact)
        {
            quotas[key] += (long)Math.Floor(share);
            given += (long)Math.Floor(share);
        }
        foreach (var (key, _) in exact.OrderByDescending(e => e.Share - Math.Floor(e.Share)).ThenBy(e => e.Key, StringComparer.Ordinal)
                     .Take((int)(amount - given)))
            quotas[key] += 1;
    }
}
