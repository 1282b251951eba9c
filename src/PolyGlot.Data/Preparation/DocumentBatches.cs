using System.Text;
using PolyGlot.Data.Corpus;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation;

/// <summary>Documents on their way into shards: their text as UTF-8 and their <c>lang</c> values. Dispose it to return its buffers.</summary>
internal sealed class DocumentBatch(int bytes) : IDisposable
{
    // A batch never grows past its size (unless one document alone is larger): the buffer is rented once, at that size.
    public Utf8TextBatch Texts { get; } = new(bytes, texts: bytes >> 7);

    public List<string> Languages { get; } = [];

    // Where each document added as bytes came from, for the error when one is not UTF-8 (empty for documents made from strings).
    private readonly List<(string File, long Line)> _unchecked = [];

    /// <summary>Whether a document of <paramref name="utf8Bytes"/> bytes still fits in <paramref name="limit"/> (a first one always does).</summary>
    public bool Fits(long utf8Bytes, int limit) => Texts.Count == 0 || Texts.TotalBytes + utf8Bytes <= limit;

    /// <summary>Adds a document as the bytes of line <paramref name="line"/> of <paramref name="file"/>, checked as UTF-8 by <see cref="Encode"/>.</summary>
    public void Add(ReadOnlySpan<byte> utf8, string language, string file, long line)
    {
        Texts.Add(utf8);
        Languages.Add(language);
        _unchecked.Add((file, line));
    }

    /// <summary>
    /// Encodes the documents into <paramref name="output"/> on up to <paramref name="threads"/> threads, which also check
    /// the documents added as bytes (on many cores, checking on the reader's one thread would limit it).
    /// </summary>
    /// <exception cref="CorpusFormatException">A document is not valid UTF-8 (the first, in order, is named by file and line).</exception>
    public void Encode(ITokenizer tokenizer, TokenBatch output, int threads)
    {
        if (tokenizer.TryEncodeBatch(Texts, output, out var invalid, threads))
            return;
        if (_unchecked.Count == 0)
            throw new InvalidOperationException($"document {invalid} of a batch made from strings is not valid UTF-8");
        throw Utf8LineStream.InvalidUtf8(_unchecked[invalid].File, _unchecked[invalid].Line, Texts[invalid]);
    }

    public void Add(string text, string language)
    {
        Texts.Add(text);
        Languages.Add(language);
    }

    public void Dispose() => Texts.Dispose();
}

/// <summary>
/// A source's documents (<see cref="SourceDocuments"/>) in batches of at most a given size of UTF-8 (or one larger
/// document), the unit of one parallel encode. Lines of text sources go into a batch as the bytes they are in the
/// file, never made strings.
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
        // Checked as UTF-8 on the encoding threads (DocumentBatch.Encode), not on this one.
        using var lines = new LineDocumentReader(source, checkUtf8: false);
        var batch = new DocumentBatch(batchBytes);
        // Not a foreach over lines: a line's bytes must not live across a yield.
        while (Fill(lines, ref batch, ref skip, batchBytes) is { } full)
            yield return full;
        if (batch.Texts.Count > 0)
            yield return batch;
        else
            batch.Dispose();
    }

    // Adds lines to the batch until the next one does not fit: returns the full batch, and the line starts a new one.
    // Null when the source ends.
    private static DocumentBatch? Fill(LineDocumentReader lines, ref DocumentBatch batch, ref long skip, int batchBytes)
    {
        while (lines.TryRead(out var text))
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }
            if (!batch.Fits(text.Length, batchBytes))
            {
                var full = batch;
                batch = new DocumentBatch(batchBytes);
                batch.Add(text, lines.Language, lines.File, lines.LineNumber);
                return full;
            }
            batch.Add(text, lines.Language, lines.File, lines.LineNumber);
        }
        return null;
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
            if (!batch.Fits(Encoding.UTF8.GetByteCount(document.Text), batchBytes))
            {
                yield return batch;
                batch = new DocumentBatch(batchBytes);
            }
            batch.Add(document.Text, document.Language);
        }
        if (batch.Texts.Count > 0)
            yield return batch;
        else
            batch.Dispose();
    }
}
