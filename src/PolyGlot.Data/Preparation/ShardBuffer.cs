using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// The shard being filled, stored the way the Parquet list column takes it: all tokens back to
/// back plus row offsets (no array per document), with the counts its manifest entry needs.
/// </summary>
internal sealed class ShardBuffer(string source)
{
    private int[] _tokens = new int[1 << 16];
    private readonly List<int> _offsets = [0];

    // Counts per language. A line source's documents share their file's language string, so the last language is
    // recognised by reference first: no hashing per document of such a run (other sources look it up each time).
    private readonly Dictionary<string, LanguageCount> _counts = new(StringComparer.Ordinal);
    private string? _lastLanguage;
    private LanguageCount _last = new();

    public string Source { get; } = source;

    public List<string> Languages { get; } = [];

    /// <summary>Tokens per language (eos included), as the manifest lists them.</summary>
    public SortedDictionary<string, long> TokensPerLanguage() => Sorted(c => c.Tokens);

    /// <summary>UTF-8 bytes per language, as the manifest lists them.</summary>
    public SortedDictionary<string, long> BytesPerLanguage() => Sorted(c => c.Bytes);

    public int Tokens => _offsets[^1];

    public int Documents => Languages.Count;

    /// <summary>All tokens; only the first <see cref="Tokens"/> are valid.</summary>
    public int[] TokenArray => _tokens;

    /// <summary>Row offsets, <see cref="Documents"/> + 1 of them.</summary>
    public int[] Offsets() => [.. _offsets];

    /// <summary>Appends one document, encoded as texts <paramref name="pieces"/> of <paramref name="ids"/>: their ids, then <paramref name="eos"/>. Returns the tokens added.</summary>
    public int Add(TokenBatch ids, Range pieces, int eos, string language, long bytes)
    {
        var (first, count) = pieces.GetOffsetAndLength(ids.Count);
        long length = 1;
        for (var i = first; i < first + count; i++)
            length += ids[i].Length;
        var end = checked((int)(Tokens + length));
        if (end > _tokens.Length)
            Array.Resize(ref _tokens, (int)Math.Min(Array.MaxLength, Math.Max(end, 2L * _tokens.Length)));
        var at = Tokens;
        for (var i = first; i < first + count; i++)
        {
            ids[i].CopyTo(_tokens.AsSpan(at));
            at += ids[i].Length;
        }
        _tokens[end - 1] = eos;
        _offsets.Add(end);
        Languages.Add(language);
        var counts = CountOf(language);
        counts.Tokens += length;
        counts.Bytes += bytes;
        return (int)length;
    }

    public void Clear()
    {
        _offsets.RemoveRange(1, _offsets.Count - 1);
        Languages.Clear();
        _counts.Clear();
        _lastLanguage = null;
    }

    private SortedDictionary<string, long> Sorted(Func<LanguageCount, long> count)
    {
        var sorted = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (language, counts) in _counts)
            sorted.Add(language, count(counts));
        return sorted;
    }

    private LanguageCount CountOf(string language)
    {
        if (ReferenceEquals(language, _lastLanguage))
            return _last;
        if (!_counts.TryGetValue(language, out var count))
            _counts.Add(language, count = new LanguageCount());
        (_lastLanguage, _last) = (language, count);
        return count;
    }

    private sealed class LanguageCount
    {
        public long Tokens;
        public long Bytes;
    }
}
