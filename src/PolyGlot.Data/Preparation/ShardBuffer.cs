namespace PolyGlot.Data.Preparation;

/// <summary>The rows of the shard being filled, with the counts its manifest entry needs.</summary>
internal sealed class ShardBuffer(string source)
{
    public string Source { get; } = source;

    public List<int[]> Rows { get; } = [];

    public List<string> Languages { get; } = [];

    public Dictionary<string, long> TokensPerLanguage { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> BytesPerLanguage { get; } = new(StringComparer.Ordinal);

    public long Tokens { get; private set; }

    public int Documents => Rows.Count;

    public void Add(int[] row, string language, long bytes)
    {
        Rows.Add(row);
        Languages.Add(language);
        Tokens += row.Length;
        TokensPerLanguage[language] = TokensPerLanguage.GetValueOrDefault(language) + row.Length;
        BytesPerLanguage[language] = BytesPerLanguage.GetValueOrDefault(language) + bytes;
    }

    public void Clear()
    {
        Rows.Clear();
        Languages.Clear();
        TokensPerLanguage.Clear();
        BytesPerLanguage.Clear();
        Tokens = 0;
    }
}
