namespace PolyGlot.Data.Preparation;

/// <summary>
/// The shard being filled, stored the way the Parquet list column takes it: all tokens back to
/// back plus row offsets (no array per document), with the counts its manifest entry needs.
/// </summary>
internal sealed class ShardBuffer(string source)
{
    private int[] _tokens = new int[1 << 16];
    private readonly List<int> _offsets = [0];

    public string Source { get; } = source;

    public List<string> Languages { get; } = [];

    public Dictionary<string, long> TokensPerLanguage { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> BytesPerLanguage { get; } = new(StringComparer.Ordinal);

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
        TokensPerLanguage[language] = TokensPerLanguage.GetValueOrDefault(language) + length;
        BytesPerLanguage[language] = BytesPerLanguage.GetValueOrDefault(language) + bytes;
    }

    public void Clear()
    {
        _offsets.RemoveRange(1, _offsets.Count - 1);
        Languages.Clear();
        TokensPerLanguage.Clear();
        BytesPerLanguage.Clear();
    }
}
