namespace PolyGlot.Training.Trainer;

/// <summary>
/// Sums of per-token losses (nats) and token counts per language id, for the loss of a batch
/// overall and per language. Sums are in double, in token order, so they are reproducible.
/// </summary>
public sealed class LanguageLosses
{
    private readonly double[] _sums;
    private readonly long[] _counts;

    /// <summary>Creates empty sums for <paramref name="languages"/> language ids.</summary>
    public LanguageLosses(int languages)
    {
        _sums = new double[languages];
        _counts = new long[languages];
    }

    /// <summary>Tokens added so far.</summary>
    public long Tokens => _counts.Sum();

    /// <summary>The sum of all losses added (nats).</summary>
    public double TotalNats => _sums.Sum();

    /// <summary>The mean loss over all tokens (NaN when none).</summary>
    public double Mean => Tokens == 0 ? double.NaN : TotalNats / Tokens;

    /// <summary>Adds the loss of each token with the language id of its target.</summary>
    public void Add(ReadOnlySpan<float> losses, ReadOnlySpan<int> languageIds)
    {
        if (losses.Length != languageIds.Length)
            throw new ArgumentException($"{losses.Length} losses but {languageIds.Length} language ids.", nameof(languageIds));
        for (var i = 0; i < losses.Length; i++)
        {
            _sums[languageIds[i]] += losses[i];
            _counts[languageIds[i]]++;
        }
    }

    /// <summary>Sums then counts per language id, as one vector (for a reduction over ranks).</summary>
    public double[] ToVector() => [.. _sums, .. _counts.Select(c => (double)c)];

    /// <summary>Overwrites the sums and counts from a vector of <see cref="ToVector"/>'s layout (e.g. summed over ranks).</summary>
    public void SetFromVector(ReadOnlySpan<double> vector)
    {
        if (vector.Length != 2 * _sums.Length)
            throw new ArgumentException($"{vector.Length} values; {2 * _sums.Length} expected.", nameof(vector));
        vector[.._sums.Length].CopyTo(_sums);
        for (var i = 0; i < _counts.Length; i++)
            _counts[i] = (long)vector[_sums.Length + i];
    }

    /// <summary>Sum of nats and token count of language id <paramref name="id"/>.</summary>
    public (double Nats, long Tokens) Of(int id) => (_sums[id], _counts[id]);

    /// <summary>Mean loss per language code, for the languages that occurred.</summary>
    public IReadOnlyDictionary<string, double> MeanPerLanguage(IReadOnlyList<string> codes)
    {
        var means = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var id = 0; id < _counts.Length; id++)
            if (_counts[id] > 0)
                means[codes[id]] = _sums[id] / _counts[id];
        return means;
    }
}
