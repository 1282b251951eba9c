using System.Buffers.Binary;
using System.IO.Compression;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// Decompresses a <c>.gz</c> file and refuses one that ends early. .NET's <see cref="GZipStream"/>
/// returns end-of-stream at a truncated file's last byte as if it were complete, so a half-copied
/// corpus would be read as a shorter one without a word. At the end this compares the bytes
/// decompressed with the trailer's ISIZE (the uncompressed length mod 2^32, RFC 1952 section 2.3.1):
/// in a truncated file the last four bytes are compressed data, which match by chance once in 2^32.
/// A file of several concatenated gzip members is checked against its last member's ISIZE, so such
/// files are refused too; the message says how to make one member of them.
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private readonly FileStream _file;
    private readonly GZipStream _gzip;
    private readonly string _path;
    private long _decompressed;
    private bool _checked;

    public CheckedGzipStream(FileStream file, string path)
    {
        _file = file;
        _path = path;
        _gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _decompressed; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Damaged($"the gzip data is damaged ({e.Message})", e);
        }
        _decompressed += read;
        if (read == 0 && buffer.Length > 0 && !_checked)
        {
            _checked = true;
            CheckTrailer();
        }
        return read;
    }

    private void CheckTrailer()
    {
        Span<byte> trailer = stackalloc byte[4];
        if (_file.Length < 18)   // a 10-byte header and the 8-byte trailer at least
            throw Damaged($"the file is {_file.Length} bytes, too short for a gzip file", null);
        _file.Seek(-4, SeekOrigin.End);
        _file.ReadExactly(trailer);
        var recorded = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (recorded != (uint)_decompressed)
            throw Damaged(
                $"the gzip file ends early (truncated?): {_decompressed:N0} bytes decompressed, but its trailer records {recorded:N0} (mod 2^32); " +
                "copy or download it again (a file of several gzip members must be recompressed as one: zcat f.gz | gzip > g.gz)", null);
    }

    private CorpusFormatException Damaged(string problem, Exception? inner) => new(_path, null, problem, inner);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
            _file.Dispose();
        }
        base.Dispose(disposing);
    }
}
