using System.Text;
using System.Text.Json;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Reporting;

/// <summary>Token counts of one language's evaluation text, with the three fertility ratios.</summary>
/// <param name="Language">Language code.</param>
/// <param name="Documents">Documents measured.</param>
/// <param name="Bytes">UTF-8 bytes.</param>
/// <param name="Characters">Unicode scalar values.</param>
/// <param name="Words">Whitespace-separated words (not meaningful for scripts written without spaces, e.g. zh, ja).</param>
/// <param name="Tokens">Tokens produced.</param>
public sealed record LanguageFertility(string Language, long Documents, long Bytes, long Characters, long Words, long Tokens)
{
    /// <summary>Tokens per UTF-8 byte.</summary>
    public double TokensPerByte => Ratio(Tokens, Bytes);

    /// <summary>Tokens per character.</summary>
    public double TokensPerChar => Ratio(Tokens, Characters);

    /// <summary>Tokens per whitespace-separated word.</summary>
    public double TokensPerWord => Ratio(Tokens, Words);

    internal static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
}

/// <summary>The "premium" of a language on parallel text: its tokens over English tokens for the same content.</summary>
/// <param name="Set">Name of the parallel set (e.g. <c>udhr</c>, <c>gnome.en-de</c>).</param>
/// <param name="Language">The non-English language.</param>
/// <param name="Pairs">Aligned segments measured.</param>
/// <param name="EnglishTokens">Tokens of the English side.</param>
/// <param name="Tokens">Tokens of the other side.</param>
public sealed record LanguagePremium(string Set, string Language, long Pairs, long EnglishTokens, long Tokens)
{
    /// <summary>Tokens / English tokens; 1.0 means as cheap as English.</summary>
    public double Premium => LanguageFertility.Ratio(Tokens, EnglishTokens);
}

/// <summary>English sentences aligned with their translations into one language.</summary>
/// <param name="Set">Name of the parallel set.</param>
/// <param name="Language">The translation's language.</param>
/// <param name="Pairs">(English, translation) pairs.</param>
public sealed record ParallelText(string Set, string Language, IReadOnlyList<(string English, string Translation)> Pairs);

/// <summary>
/// How many tokens a tokenizer spends per language: per byte, per character, per whitespace
/// word, and relative to English on parallel text (a vocabulary skewed to English makes other
/// languages pay a premium in context and compute).
/// </summary>
public sealed record FertilityReport(string Tokenizer, int VocabSize, IReadOnlyList<LanguageFertility> Languages, IReadOnlyList<LanguagePremium> Premiums)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Measures <paramref name="monolingual"/> per language and <paramref name="parallel"/> per set and language.</summary>
    public static FertilityReport Compute(ITokenizer tokenizer, IReadOnlyList<LanguageText> monolingual,
        IReadOnlyList<ParallelText> parallel)
    {
        var languages = monolingual.OrderBy(l => l.Language, StringComparer.Ordinal)
            .Select(l => Measure(tokenizer, l.Language, l.OpenDocuments().ToList())).ToList();
        var premiums = parallel.OrderBy(p => p.Set, StringComparer.Ordinal).ThenBy(p => p.Language, StringComparer.Ordinal)
            .Select(p => new LanguagePremium(p.Set, p.Language, p.Pairs.Count,
                CountTokens(tokenizer, p.Pairs.Select(x => x.English).ToList()),
                CountTokens(tokenizer, p.Pairs.Select(x => x.Translation).ToList())))
            .ToList();
        return new FertilityReport(Path.GetFileName(tokenizer.ModelPath), tokenizer.VocabSize, languages, premiums);
    }

    /// <summary>The report as indented snake_case JSON (ratios included).</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        tokenizer = Tokenizer,
        vocab_size = VocabSize,
        languages = Languages.Select(l => new
        {
            language = l.Language, documents = l.Documents, bytes = l.Bytes, characters = l.Characters, words = l.Words,
            tokens = l.Tokens, tokens_per_byte = l.TokensPerByte, tokens_per_char = l.TokensPerChar, tokens_per_word = l.TokensPerWord,
        }),
        premiums = Premiums.Select(p => new
        {
            set = p.Set, language = p.Language, pairs = p.Pairs, english_tokens = p.EnglishTokens, tokens = p.Tokens, premium = p.Premium,
        }),
    }, Json);

    private static LanguageFertility Measure(ITokenizer tokenizer, string language, List<string> documents)
    {
        long bytes = 0, characters = 0, words = 0;
        foreach (var document in documents)
        {
            bytes += Encoding.UTF8.GetByteCount(document);
            characters += document.EnumerateRunes().LongCount();
            words += document.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).LongLength;
        }
        return new LanguageFertility(language, documents.Count, bytes, characters, words, CountTokens(tokenizer, documents));
    }

    private static long CountTokens(ITokenizer tokenizer, List<string> texts) =>
        tokenizer.EncodeBatch(texts).Sum(ids => (long)ids.Length);
}
