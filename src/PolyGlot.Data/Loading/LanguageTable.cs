namespace PolyGlot.Data.Loading;

/// <summary>Numbers the language codes of a run (ordinal order), so batches can carry a small id per token.</summary>
public sealed class LanguageTable
{
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates the table from every language code the sources may hold.</summary>
    public LanguageTable(IEnumerable<string> codes)
    {
        Codes = codes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        _ids = Codes.Select((code, id) => (code, id)).ToDictionary(p => p.code, p => p.id, StringComparer.Ordinal);
    }

    /// <summary>The codes; a language id indexes this list.</summary>
    public IReadOnlyList<string> Codes { get; }

    /// <summary>The id of <paramref name="code"/>.</summary>
    /// <exception cref="InvalidDataException">The code is not in the table (a shard holds a language its manifest does not list).</exception>
    public int IdOf(string code, string file) =>
        _ids.TryGetValue(code, out var id)
            ? id
            : throw new InvalidDataException(
                $"{file} holds documents in language '{code}', which its manifest does not list; re-run `polyglot prepare` for this source.");
}
