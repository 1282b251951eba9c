namespace PolyGlot.Training.Trainer;

/// <summary>
/// Sums of per-token losses (nats) and token counts per language id, read back from the device
/// (<see cref="LanguageLossWindow"/>), for the mean loss per language.
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

    /// <summary>Overwrites the sums and counts from one vector: the sums per language id, then the counts (e.g. summed over ranks).</summary>
    public void SetFromVector(ReadOnlySpan<double> vector)
    {
        if (vector.Length != 2 * _sums.Length)
            throw new ArgumentException($"{vector.Length} values; {2 * _sums.Length} expected.", nameof(vector));
        vector[.._sums.Length].CopyTo(_sums);
        for (var i = 0; i < _counts.Length; i++)
            _counts[i] = (long)vector[_sums.Length + i];
    }

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
