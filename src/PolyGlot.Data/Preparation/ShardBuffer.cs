namespace PolyGlot.Data.Preparation;

/// <summary>
/// The shard being filled, stored the way the Parquet list column takes it: all tokens back to
/// back plus row offsets (no array per document), with the counts its manifest entry needs.
/// </summary>
internal sealed class ShardBuffer(string source)
{
    private int[] _tokens = new int[1 << 16];
    private readonly List<int> _offsets = [0];

    // Counts per language. Documents come in runs of one language (a file's lines share one string), so the last
    // language is recognised by reference first: no hashing per document in a run.
    private readonly List<(string Language, long Tokens, long Bytes)> _counts = [];
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private string? _lastLanguage;
    private int _last;

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

    /// <summary>Appends one document: its ids, then <paramref name="eos"/>.</summary>
    public void Add(ReadOnlySpan<int> ids, int eos, string language, long bytes)
    {
        var length = checked(ids.Length + 1);
        var end = checked(Tokens + length);
        if (end > _tokens.Length)
            Array.Resize(ref _tokens, (int)Math.Min(Array.MaxLength, Math.Max(end, 2L * _tokens.Length)));
        ids.CopyTo(_tokens.AsSpan(Tokens));
        _tokens[end - 1] = eos;
        _offsets.Add(end);
        Languages.Add(language);
        var slot = SlotOf(language);
        var (_, tokens, documentBytes) = _counts[slot];
        _counts[slot] = (language, tokens + length, documentBytes + bytes);
    }

    public void Clear()
    {
        _offsets.RemoveRange(1, _offsets.Count - 1);
        Languages.Clear();
        _counts.Clear();
        _slots.Clear();
        _lastLanguage = null;
    }

    private SortedDictionary<string, long> Sorted(Func<(string Language, long Tokens, long Bytes), long> count) =>
        new(_counts.ToDictionary(c => c.Language, count, StringComparer.Ordinal), StringComparer.Ordinal);

    private int SlotOf(string language)
    {
        if (ReferenceEquals(language, _lastLanguage))
            return _last;
        _lastLanguage = language;
        if (!_slots.TryGetValue(language, out _last))
        {
            _last = _counts.Count;
            _slots.Add(language, _last);
            _counts.Add((language, 0, 0));
        }
        return _last;
    }
}
