using System.Text;
using System.Text.Unicode;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// The lines of a text file as the bytes they are in the file, without copying them out of its read buffer:
/// <c>\n</c> and <c>\r\n</c> endings and a UTF-8 byte order mark are removed. Files ending in <c>.gz</c> are
/// decompressed on the fly. A line's bytes are valid until the next read.
/// </summary>
public sealed class Utf8LineStream : IDisposable
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _endOfFile;
    private bool _sawAnyByte;

    /// <summary>Opens <paramref name="path"/>.</summary>
    /// <exception cref="CorpusFormatException">The file does not exist.</exception>
    public Utf8LineStream(string path)
    {
        Path = path;
        _stream = Utf8LineReader.Open(path);
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The 1-based number of the line read last (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next line; false at the end of the file.</summary>
    /// <exception cref="CorpusFormatException">The file holds no bytes at all.</exception>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        var scanned = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = Trim(_buffer.AsSpan(_start, scanned + newline));
                _start += scanned + newline + 1;
                return true;
            }
            scanned = _end - _start;
            if (_endOfFile)
            {
                if (!_sawAnyByte)
                    throw new CorpusFormatException(Path, null, "the file is empty; remove it from the source or give it content");
                if (scanned == 0)
                {
                    line = default;
                    return false;
                }
                line = Trim(_buffer.AsSpan(_start, scanned));
                _start = _end;
                return true;
            }
            Fill();
        }
    }

    /// <summary><paramref name="line"/> (the line read last) as a string.</summary>
    /// <exception cref="CorpusFormatException">It is not valid UTF-8 (the message names the file, the line and the byte).</exception>
    public string Decode(ReadOnlySpan<byte> line)
    {
        try
        {
            return Strict.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            throw InvalidUtf8(Path, LineNumber, line);
        }
    }

    /// <summary>The error for line <paramref name="number"/> of <paramref name="path"/>, whose bytes <paramref name="line"/> are not valid UTF-8.</summary>
    public static CorpusFormatException InvalidUtf8(string path, long number, ReadOnlySpan<byte> line)
    {
        Span<char> scratch = stackalloc char[256];
        var at = 0;
        // The first byte that does not decode, found a piece at a time.
        while (Utf8.ToUtf16(line[at..], scratch, out var read, out _, replaceInvalidSequences: false) == System.Buffers.OperationStatus.DestinationTooSmall)
            at += read;
        Utf8.ToUtf16(line[at..], scratch, out var valid, out _, replaceInvalidSequences: false);
        return new CorpusFormatException(path, $"line {number}",
            $"invalid UTF-8 at byte {at + valid} of the line; convert the file to UTF-8 (e.g. iconv -f <encoding> -t UTF-8)");
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line)
    {
        LineNumber++;
        if (line.Length > 0 && line[^1] == (byte)'\r')
            line = line[..^1];
        if (LineNumber == 1 && line.StartsWith(Encoding.UTF8.Preamble))
            line = line[3..];
        return line;
    }

    // Moves the unread bytes to the front (growing the buffer when a line fills it) and reads more after them.
    private void Fill()
    {
        var unread = _end - _start;
        if (unread == _buffer.Length)
        {
            if (_buffer.Length > Array.MaxLength / 2)
                throw new CorpusFormatException(Path, $"line {LineNumber + 1}",
                    $"the line is longer than {_buffer.Length:N0} bytes without a line break; is this a text file with one document per line?");
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        if (_start > 0)
        {
            _buffer.AsSpan(_start, unread).CopyTo(_buffer);
            _start = 0;
            _end = unread;
        }
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _sawAnyByte |= read > 0;
        _endOfFile = read == 0;
        _end += read;
    }
}
