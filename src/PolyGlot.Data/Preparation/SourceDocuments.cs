using PolyGlot.Data.Corpus;

namespace PolyGlot.Data.Preparation;

/// <summary>A document as it goes into a shard: its text and the <c>lang</c> column value.</summary>
/// <param name="Text">Document text (for bilingual sources, the formatted pair).</param>
/// <param name="Language">Language code, or <c>src-tgt</c> for a formatted pair.</param>
public readonly record struct ShardDocument(string Text, string Language);

/// <summary>The documents a source contributes to its shards, in a fixed order (resume skips a prefix of it).</summary>
public static class SourceDocuments
{
    /// <summary>
    /// Monolingual sources: their documents. Bilingual sources: each pair formatted by the template,
    /// source → target, then (with <paramref name="bothDirections"/>) target → source.
    /// </summary>
    public static IEnumerable<ShardDocument> Read(CorpusSourceConfig source, BilingualTemplate template, bool bothDirections)
    {
        if (!source.IsBilingual)
        {
            foreach (var document in CorpusReader.ReadDocuments(source))
                yield return new ShardDocument(document.Text, document.Language);
            yield break;
        }
        foreach (var pair in CorpusReader.ReadPairs(source))
        {
            yield return new ShardDocument(
                template.Format(pair.SourceText, pair.SourceLanguage, pair.TargetText, pair.TargetLanguage),
                $"{pair.SourceLanguage}-{pair.TargetLanguage}");
            if (bothDirections)
                yield return new ShardDocument(
                    template.Format(pair.TargetText, pair.TargetLanguage, pair.SourceText, pair.SourceLanguage),
                    $"{pair.TargetLanguage}-{pair.SourceLanguage}");
        }
    }
}
