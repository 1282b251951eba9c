using PolyGlot.Data.Corpus;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation;

/// <summary>Documents on their way into shards: their text as UTF-8 and their <c>lang</c> values. Dispose it to return its buffers.</summary>
internal sealed class DocumentBatch(int bytes) : IDisposable
{
    // Room for a full batch and the document that overfills it, usually without growing.
    public Utf8TextBatch Texts { get; } = new(bytes + (bytes >> 3));

    public List<string> Languages { get; } = [];

    public void Add(ReadOnlySpan<byte> utf8, string language)
    {
        Texts.Add(utf8);
        Languages.Add(language);
    }

    public void Add(string text, string language)
    {
        Texts.Add(text);
        Languages.Add(language);
    }

    public void Dispose() => Texts.Dispose();
}

/// <summary>
/// A source's documents (<see cref="SourceDocuments"/>) in batches of about a given size of UTF-8, the unit of one parallel
/// encode. Lines of text sources go into a batch as the bytes they are in the file, never made strings.
/// </summary>
internal static class DocumentBatches
{
    /// <summary>The documents after the first <paramref name="skip"/> (already in shards: the order is fixed), in batches.</summary>
    public static IEnumerable<DocumentBatch> Read(CorpusSourceConfig source, BilingualTemplate template, bool bothDirections, long skip, int batchBytes) =>
        LineDocumentReader.CanRead(source)
            ? ReadLines(source, skip, batchBytes)
            : ReadStrings(SourceDocuments.Read(source, template, bothDirections), skip, batchBytes);

    private static IEnumerable<DocumentBatch> ReadLines(CorpusSourceConfig source, long skip, int batchBytes)
    {
        using var lines = new LineDocumentReader(source);
        var batch = new DocumentBatch(batchBytes);
        while (true)
        {
            // Not an iterator's foreach: a line's bytes must not live across a yield.
            if (!TryFillFromLines(lines, batch, ref skip, batchBytes))
                break;
            yield return batch;
            batch = new DocumentBatch(batchBytes);
        }
        if (batch.Texts.Count > 0)
            yield return batch;
        else
            batch.Dispose();
    }

    // Adds lines until the batch is full (true) or the source ends (false).
    private static bool TryFillFromLines(LineDocumentReader lines, DocumentBatch batch, ref long skip, int batchBytes)
    {
        while (lines.TryRead(out var text))
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }
            batch.Add(text, lines.Language);
            if (batch.Texts.TotalBytes >= batchBytes)
                return true;
        }
        return false;
    }

    private static IEnumerable<DocumentBatch> ReadStrings(IEnumerable<ShardDocument> documents, long skip, int batchBytes)
    {
        var batch = new DocumentBatch(batchBytes);
        foreach (var document in documents)
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }
            batch.Add(document.Text, document.Language);
            if (batch.Texts.TotalBytes >= batchBytes)
            {
                yield return batch;
                batch = new DocumentBatch(batchBytes);
            }
        }
        if (batch.Texts.Count > 0)
            yield return batch;
        else
            batch.Dispose();
    }
}
