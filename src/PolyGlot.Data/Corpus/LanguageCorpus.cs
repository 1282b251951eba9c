using PolyGlot.Tokenization.Reporting;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// Regroups configured sources by language, the shape tokenizer training and the fertility report
/// need: every document of a language from every source, both sides of translation pairs included.
/// </summary>
public static class LanguageCorpus
{
    /// <summary>One <see cref="LanguageText"/> per language found in <paramref name="sources"/>, in ordinal language order.</summary>
    public static IReadOnlyList<LanguageText> ByLanguage(IReadOnlyList<CorpusSourceConfig> sources)
    {
        var languagesBySource = sources.ToDictionary(s => s, LanguagesOf);
        return languagesBySource.Values.SelectMany(l => l).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(language => new LanguageText(language, () => DocumentsIn(
                sources.Where(s => languagesBySource[s].Contains(language)), language)))
            .ToList();
    }

    /// <summary>
    /// Parallel text for the premium report: every pair of a bilingual source with English on one
    /// side, grouped by (source, other language). Pairs without English are not comparable and are skipped.
    /// </summary>
    public static IReadOnlyList<ParallelText> EnglishParallel(IReadOnlyList<CorpusSourceConfig> sources, string english = "en") =>
        sources.Where(s => s.IsBilingual)
            .SelectMany(s => CorpusReader.ReadPairs(s).Select(p => (Source: s.Name, Pair: p)))
            .Select(x => x.Pair.SourceLanguage == english
                ? (x.Source, Language: x.Pair.TargetLanguage, English: x.Pair.SourceText, Other: x.Pair.TargetText)
                : x.Pair.TargetLanguage == english
                    ? (x.Source, Language: x.Pair.SourceLanguage, English: x.Pair.TargetText, Other: x.Pair.SourceText)
                    : (x.Source, Language: "", English: "", Other: ""))
            .Where(x => x.Language.Length > 0)
            .GroupBy(x => (x.Source, x.Language))
            .Select(g => new ParallelText(g.Key.Source, g.Key.Language, g.Select(x => (x.English, x.Other)).ToList()))
            .ToList();

    private static HashSet<string> LanguagesOf(CorpusSourceConfig source)
    {
        if (!source.IsBilingual)
            return source.LangField is null
                ? [source.Lang!]
                : CorpusReader.ReadDocuments(source).Select(d => d.Language).ToHashSet(StringComparer.Ordinal);
        if (source.SrcLangField is null && source.TgtLangField is null)
            return [source.SrcLang!, source.TgtLang!];
        return CorpusReader.ReadPairs(source).SelectMany(p => new[] { p.SourceLanguage, p.TargetLanguage }).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> DocumentsIn(IEnumerable<CorpusSourceConfig> sources, string language)
    {
        foreach (var source in sources)
        {
            if (!source.IsBilingual)
            {
                foreach (var document in CorpusReader.ReadDocuments(source))
                    if (document.Language == language)
                        yield return document.Text;
                continue;
            }
            foreach (var pair in CorpusReader.ReadPairs(source))
            {
                if (pair.SourceLanguage == language)
                    yield return pair.SourceText;
                if (pair.TargetLanguage == language)
                    yield return pair.TargetText;
            }
        }
    }
}
