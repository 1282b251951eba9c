using System.Text;
using System.Text.Unicode;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// The documents of a source whose documents are lines (format <c>text</c>, <c>documents: line</c>), file by file in
/// name order, as the UTF-8 bytes they are in the files: each line that is not blank, never made a string.
/// <see cref="CorpusReader.ReadDocuments"/> reads a source's documents as strings through this reader.
/// </summary>
public sealed class LineDocumentReader : IDisposable
{
    private readonly bool _checkUtf8;
    private readonly CorpusSourceConfig _source;
    private readonly IEnumerator<string> _files;
    private Utf8LineStream? _lines;
    private bool _fileHasDocuments;

    /// <summary>Starts reading <paramref name="source"/>.</summary>
    /// <param name="source">The source.</param>
    /// <param name="checkUtf8">
    /// Check each document as UTF-8 while reading (an invalid one stops the read, naming its file and line). A caller that
    /// checks elsewhere passes false, and then must: with <see cref="Utf8LineStream.InvalidUtf8"/> for the error, or by
    /// making strings with <see cref="Decode"/>.
    /// </param>
    /// <exception cref="ArgumentException">The source's documents are not lines (see <see cref="CanRead"/>).</exception>
    /// <exception cref="CorpusFormatException">No file matches the source's path.</exception>
    public LineDocumentReader(CorpusSourceConfig source, bool checkUtf8 = true)
    {
        if (!CanRead(source))
            throw new ArgumentException($"Source '{source.Name}' does not hold one document per line of text.", nameof(source));
        _checkUtf8 = checkUtf8;
        _source = source;
        _files = CorpusReader.ResolveFiles(source).GetEnumerator();
    }

    /// <summary>The documents' language.</summary>
    public string Language => _source.Lang!;

    /// <summary>The file of the document read last.</summary>
    public string File => _lines?.Path ?? "";

    /// <summary>The line of the document read last (1-based).</summary>
    public long LineNumber => _lines?.LineNumber ?? 0;

    /// <summary>Whether <paramref name="source"/>'s documents are lines of text.</summary>
    public static bool CanRead(CorpusSourceConfig source) =>
        !source.IsBilingual && source.Format == CorpusFormats.Text && source.Documents == "line";

    /// <summary>Reads the next document (valid until the next read); false after the last.</summary>
    /// <exception cref="CorpusFormatException">A file is empty, holds only blank lines, or a line is not UTF-8.</exception>
    public bool TryRead(out ReadOnlySpan<byte> text)
    {
        while (true)
        {
            if (_lines is null)
            {
                if (!_files.MoveNext())
                {
                    text = default;
                    return false;
                }
                _lines = new Utf8LineStream(_files.Current);
                _fileHasDocuments = false;
            }
            while (_lines.TryReadLine(out var line))
            {
                if (_checkUtf8 && !Utf8.IsValid(line))
                    throw Utf8LineStream.InvalidUtf8(_lines.Path, _lines.LineNumber, line);
                // A malformed sequence decodes as U+FFFD, which is not white space: such a line is a document, and fails its check.
                if (IsBlank(line))
                    continue;
                _fileHasDocuments = true;
                text = line;
                return true;
            }
            if (!_fileHasDocuments)
                throw CorpusReader.NoDocuments(_lines.Path, _source);
            _lines.Dispose();
            _lines = null;
        }
    }

    /// <summary>The document read last, as a string.</summary>
    /// <exception cref="CorpusFormatException">It is not valid UTF-8 (the message names the file, the line and the byte).</exception>
    public string Decode(ReadOnlySpan<byte> text) =>
        _lines?.Decode(text) ?? throw new InvalidOperationException("no document has been read");

    /// <inheritdoc />
    public void Dispose()
    {
        _lines?.Dispose();
        _files.Dispose();
    }

    // The bytes' counterpart of string.IsNullOrWhiteSpace: every character is white space (usually the first is not).
    private static bool IsBlank(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (!Rune.IsWhiteSpace(rune))
                return false;
            utf8 = utf8[consumed..];
        }
        return true;
    }
}
