using System.Text;
using PolyGlot.Data.Corpus;
using PolyGlot.Tokenization;

namespace PolyGlot.Training.Evaluation;

/// <summary>
/// Held-out text of one language, tokenized and cut into rows of <c>seq_len + 1</c> tokens like
/// training rows (documents back to back, each ending with eos), with the text's tokens per UTF-8
/// byte for bits per byte.
/// </summary>
/// <param name="Language">Language code.</param>
/// <param name="Rows">Token rows, each <c>seq_len + 1</c> long.</param>
/// <param name="TokensPerByte">Tokens (eos included) per UTF-8 byte over the documents read.</param>
public sealed record HeldOutLanguage(string Language, IReadOnlyList<int[]> Rows, double TokensPerByte);

/// <summary>The held-out evaluation data of a run: one <see cref="HeldOutLanguage"/> per language.</summary>
public sealed class HeldOutSet
{
    /// <summary>Wraps prepared languages.</summary>
    public HeldOutSet(IReadOnlyList<HeldOutLanguage> languages) => Languages = languages;

    /// <summary>The languages, in order of their codes.</summary>
    public IReadOnlyList<HeldOutLanguage> Languages { get; }

    /// <summary>
    /// Reads the monolingual <paramref name="sources"/> (eval.sources), tokenizes documents with
    /// <paramref name="tokenizer"/> until each language has <paramref name="maxRows"/> rows of
    /// <paramref name="seqLen"/> + 1 tokens or its text ends.
    /// </summary>
    /// <exception cref="InvalidDataException">A source is bilingual, or a language has too little text for one row; the message names it.</exception>
    public static HeldOutSet FromSources(IReadOnlyList<CorpusSourceConfig> sources, ITokenizer tokenizer, int seqLen, int maxRows)
    {
        var byLanguage = new SortedDictionary<string, LanguageStream>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            if (source.IsBilingual)
                throw new InvalidDataException($"eval source '{source.Name}' is bilingual; held-out evaluation reads monolingual text per language.");
            foreach (var document in CorpusReader.ReadDocuments(source))
            {
                if (!byLanguage.TryGetValue(document.Language, out var stream))
                    byLanguage[document.Language] = stream = new LanguageStream(seqLen + 1, maxRows);
                if (!stream.IsFull)
                    stream.Add(tokenizer.Encode(document.Text), tokenizer.Special.EosId, Encoding.UTF8.GetByteCount(document.Text));
            }
        }
        var languages = new List<HeldOutLanguage>();
        foreach (var (language, stream) in byLanguage)
        {
            var rows = stream.Rows();
            if (rows.Count == 0)
                throw new InvalidDataException(
                    $"eval sources hold too little '{language}' text for one row of {seqLen + 1} tokens; add text or drop the language.");
            languages.Add(new HeldOutLanguage(language, rows, stream.TokensPerByte));
        }
        return new HeldOutSet(languages);
    }

    private sealed class LanguageStream(int rowLength, int maxRows)
    {
        private readonly List<int> _tokens = [];
        private long _bytes;

        public bool IsFull => _tokens.Count >= (long)rowLength * maxRows;

        public double TokensPerByte => _bytes == 0 ? 0 : (double)_tokens.Count / _bytes;

        public void Add(int[] tokens, int eos, int bytes)
        {
            _tokens.AddRange(tokens);
            _tokens.Add(eos);
            _bytes += bytes;
        }

        public List<int[]> Rows()
        {
            var count = Math.Min(maxRows, _tokens.Count / rowLength);
            return Enumerable.Range(0, count).Select(r => _tokens.GetRange(r * rowLength, rowLength).ToArray()).ToList();
        }
    }
}
