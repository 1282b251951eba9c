namespace PolyGlot.Data.Packing;

/// <summary>A run of tokens from one document, as a token stream hands it to the packer.</summary>
public readonly ref struct TokenChunk
{
    /// <summary>Creates a chunk.</summary>
    public TokenChunk(ReadOnlySpan<int> tokens, int languageId, bool startsDocument)
    {
        Tokens = tokens;
        LanguageId = languageId;
        StartsDocument = startsDocument;
    }

    /// <summary>The tokens (never empty).</summary>
    public ReadOnlySpan<int> Tokens { get; }

    /// <summary>Index of the document's language in the loader's language table.</summary>
    public int LanguageId { get; }

    /// <summary>True when the chunk begins at the first token of its document.</summary>
    public bool StartsDocument { get; }
}

/// <summary>An endless stream of eos-terminated documents, handed out in chunks.</summary>
public interface ITokenStream
{
    /// <summary>
    /// Returns the next 1 to <paramref name="maxTokens"/> tokens of the current document and
    /// advances past them; the chunk stays valid until the next call.
    /// </summary>
    TokenChunk Next(int maxTokens);

    /// <summary>
    /// Advances past what <see cref="Next"/> would return, without producing the tokens (a row of
    /// another data-parallel rank): the number of tokens passed and their language id.
    /// </summary>
    (int Count, int LanguageId) Skip(int maxTokens);
}
