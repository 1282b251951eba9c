using System.Buffers;
using System.Text;
using PolyGlot.Data.Corpus;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// Documents on their way into shards: their text as UTF-8, each in pieces of bounded size (<see cref="DocumentPieces"/>:
/// one piece unless it is longer), and their <c>lang</c> values. Dispose it to return its buffers.
/// </summary>
internal sealed class DocumentBatch(int bytes, DocumentPieces pieces) : IDisposable
{
    // A batch never grows past its size (unless one document alone is larger): the buffer is rented once, at that size.
    // Its texts are the pieces, what the tokenizer encodes; a document's pieces are back to back.
    public Utf8TextBatch Texts { get; } = new(bytes, texts: bytes >> 7);

    public List<string> Languages { get; } = [];

    /// <summary>Forced cuts in this batch's documents (<see cref="DocumentPieces"/>).</summary>
    public int ForcedCuts { get; private set; }

    /// <summary>Number of documents.</summary>
    public int Count => Languages.Count;

    // Document d is pieces _firstPiece[d] .. _firstPiece[d + 1] - 1.
    private readonly List<int> _firstPiece = [0];

    // Where each document added as bytes came from, for the error when one is not UTF-8 (empty for documents made from strings).
    private readonly List<(string File, long Line)> _unchecked = [];

    /// <summary>Whether a document of <paramref name="utf8Bytes"/> bytes still fits in <paramref name="limit"/> (a first one always does).</summary>
    public bool Fits(long utf8Bytes, int limit) => Texts.Count == 0 || Texts.TotalBytes + utf8Bytes <= limit;

    /// <summary>The pieces of document <paramref name="document"/>: their ids, put together, are the document's.</summary>
    public Range PiecesOf(int document) => _firstPiece[document].._firstPiece[document + 1];

    /// <summary>UTF-8 bytes of document <paramref name="document"/>.</summary>
    public int BytesOf(int document) => Texts.Range(_firstPiece[document], _firstPiece[document + 1]).Length;

    /// <summary>Adds a document as the bytes of line <paramref name="line"/> of <paramref name="file"/>, checked as UTF-8 by <see cref="Encode"/>.</summary>
    public void Add(ReadOnlySpan<byte> utf8, string language, string file, long line)
    {
        AddPieces(utf8, language);
        _unchecked.Add((file, line));
    }

    /// <summary>Adds a document given as a string.</summary>
    public void Add(string text, string language)
    {
        // UTF-8 takes at most 3 bytes per UTF-16 code unit: most documents are added in one pass, without counting.
        if (text.Length <= pieces.MaxBytes / 3)
        {
            Texts.Add(text);
            Close(language);
            return;
        }
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text));
        try
        {
            AddPieces(utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, utf8)), language);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>
    /// Encodes the documents' pieces into <paramref name="output"/> on up to <paramref name="threads"/> threads, which also check
    /// the documents added as bytes (on many cores, checking on the reader's one thread would limit it).
    /// </summary>
    /// <exception cref="CorpusFormatException">A document is not valid UTF-8 (the first, in order, is named by file and line).</exception>
    public void Encode(ITokenizer tokenizer, TokenBatch output, int threads)
    {
        if (tokenizer.TryEncodeBatch(Texts, output, out var invalid, threads))
            return;
        var document = DocumentOf(invalid);
        if (_unchecked.Count == 0)
            throw new InvalidOperationException($"document {document} of a batch made from strings is not valid UTF-8");
        var (file, line) = _unchecked[document];
        throw Utf8LineStream.InvalidUtf8(file, line, Texts.Range(_firstPiece[document], _firstPiece[document + 1]));
    }

    public void Dispose() => Texts.Dispose();

    private void AddPieces(ReadOnlySpan<byte> utf8, string language)
    {
        ForcedCuts += pieces.Add(Texts, utf8);
        Close(language);
    }

    // Ends the document whose pieces were just added.
    private void Close(string language)
    {
        Languages.Add(language);
        _firstPiece.Add(Texts.Count);
    }

    // The document that piece `piece` belongs to (every document has at least one, so first pieces increase).
    private int DocumentOf(int piece)
    {
        var index = _firstPiece.BinarySearch(piece);
        return index >= 0 ? index : ~index - 1;
    }
}

/// <summary>
/// A source's documents (<see cref="SourceDocuments"/>) in batches of at most a given size of UTF-8 (or one larger
/// document), the unit of one parallel encode. Lines of text sources go into a batch as the bytes they are in the
/// file, never made strings.
/// </summary>
internal static class DocumentBatches
{
    /// <summary>The documents after the first <paramref name="skip"/> (already in shards: the order is fixed), in batches.</summary>
    public static IEnumerable<DocumentBatch> Read(CorpusSourceConfig source, BilingualTemplate template, bool bothDirections, long skip, int batchBytes,
        DocumentPieces pieces) =>
        LineDocumentReader.CanRead(source)
            ? ReadLines(source, skip, batchBytes, pieces)
            : ReadStrings(SourceDocuments.Read(source, template, bothDirections), skip, batchBytes, pieces);

    private static IEnumerable<DocumentBatch> ReadLines(CorpusSourceConfig source, long skip, int batchBytes, DocumentPieces pieces)
    {
        // Checked as UTF-8 on the encoding threads (DocumentBatch.Encode), not on this one.
        using var lines = new LineDocumentReader(source, checkUtf8: false);
        var batch = new DocumentBatch(batchBytes, pieces);
        // Not a foreach over lines: a line's bytes must not live across a yield.
        while (Fill(lines, ref batch, ref skip, batchBytes, pieces) is { } full)
            yield return full;
        if (batch.Count > 0)
            yield return batch;
        else
            batch.Dispose();
    }

    // Adds lines to the batch until the next one does not fit: returns the full batch, and the line starts a new one.
    // Null when the source ends.
    private static DocumentBatch? Fill(LineDocumentReader lines, ref DocumentBatch batch, ref long skip, int batchBytes, DocumentPieces pieces)
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
                batch = new DocumentBatch(batchBytes, pieces);
                batch.Add(text, lines.Language, lines.File, lines.LineNumber);
                return full;
            }
            batch.Add(text, lines.Language, lines.File, lines.LineNumber);
        }
        return null;
    }

    private static IEnumerable<DocumentBatch> ReadStrings(IEnumerable<ShardDocument> documents, long skip, int batchBytes, DocumentPieces pieces)
    {
        var batch = new DocumentBatch(batchBytes, pieces);
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
                batch = new DocumentBatch(batchBytes, pieces);
            }
            batch.Add(document.Text, document.Language);
        }
        if (batch.Count > 0)
            yield return batch;
        else
            batch.Dispose();
    }
}
