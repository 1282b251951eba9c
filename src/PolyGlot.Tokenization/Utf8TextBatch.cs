using System.Buffers;
using System.Text;

namespace PolyGlot.Tokenization;

/// <summary>
/// Texts as UTF-8, back to back: text <c>i</c> is <c>batch[i]</c>. This is the shape the native encoder reads, so text
/// that never was a .NET string (a line of a corpus file) is encoded without a conversion, and a batch costs two
/// pooled buffers instead of an object per text. Dispose it to return the buffers.
/// </summary>
public sealed class Utf8TextBatch : IDisposable
{
    private byte[] _bytes;
    private long[] _offsets;
    private bool _disposed;

    /// <summary>
    /// An empty batch with room for <paramref name="bytes"/> bytes in <paramref name="texts"/> texts (it grows as needed;
    /// the pool hands out powers of two, so a power of two wastes nothing).
    /// </summary>
    public Utf8TextBatch(int bytes = 1 << 16, int texts = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfNegative(texts);
        // Never empty: `fixed` on the buffer then always points at real memory.
        _bytes = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 16));
        _offsets = ArrayPool<long>.Shared.Rent(Math.Max(texts, 16) + 1);
        _offsets[0] = 0;
    }

    /// <summary>Number of texts.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of all texts together.</summary>
    public long TotalBytes => _offsets[Count];

    /// <summary>The UTF-8 bytes of text <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _bytes.AsSpan((int)_offsets[index], (int)(_offsets[index + 1] - _offsets[index]));
        }
    }

    /// <summary>The UTF-8 bytes of texts <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive), back to back as they are stored.</summary>
    public ReadOnlySpan<byte> Range(int start, int end)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)end, (uint)Count, nameof(end));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)start, (uint)end, nameof(start));
        return _bytes.AsSpan((int)_offsets[start], (int)(_offsets[end] - _offsets[start]));
    }

    /// <summary>The buffer holding every text (valid up to <see cref="TotalBytes"/>).</summary>
    internal byte[] Bytes => _bytes;

    /// <summary><see cref="Count"/> + 1 offsets into <see cref="Bytes"/>.</summary>
    internal long[] Offsets => _offsets;

    /// <summary>Texts <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive) of <paramref name="texts"/>, as UTF-8.</summary>
    public static Utf8TextBatch From(IReadOnlyList<string> texts, int start, int end)
    {
        long bytes = 0;
        for (var i = start; i < end; i++)
            bytes += Encoding.UTF8.GetByteCount(texts[i]);
        if (bytes >= Array.MaxLength)
            throw new InvalidOperationException($"a batch of texts cannot hold more than {Array.MaxLength} bytes; these are {bytes}");
        var batch = new Utf8TextBatch((int)bytes, end - start);
        for (var i = start; i < end; i++)
            batch.Add(texts[i]);
        return batch;
    }

    /// <summary>All of <paramref name="texts"/>, as UTF-8.</summary>
    public static Utf8TextBatch From(IReadOnlyList<string> texts) => From(texts, 0, texts.Count);

    /// <summary>Appends a text.</summary>
    public void Add(string text)
    {
        // Where the buffer was sized for it (From, a batch that checked its size first), one pass: no count before the copy.
        Reserve(0);
        if (Encoding.UTF8.TryGetBytes(text, _bytes.AsSpan((int)TotalBytes), out var written))
        {
            Commit(written);
            return;
        }
        var span = Reserve(Encoding.UTF8.GetByteCount(text));
        Commit(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>
    /// Appends a text given as UTF-8, unchecked: <see cref="ITokenizer.TryEncodeBatch"/> checks it on the encoding
    /// threads and names the first text that is not valid UTF-8.
    /// </summary>
    public void Add(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        Commit(utf8.Length);
    }

    /// <summary>Makes room for <paramref name="bytes"/> more bytes, so that a long text added in pieces grows the buffer once.</summary>
    public void EnsureRoom(int bytes) => Reserve(bytes);

    /// <summary>Returns the buffers (once; the batch cannot be used after).</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<long>.Shared.Return(_offsets);
        _bytes = [0];
        _offsets = [0];
        Count = 0;
    }

    private Span<byte> Reserve(int bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var end = TotalBytes + bytes;
        if (end > _bytes.Length)
        {
            if (end > Array.MaxLength)
                throw new InvalidOperationException($"a batch of texts cannot hold more than {Array.MaxLength} bytes");
            var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(end, 2L * _bytes.Length)));
            _bytes.AsSpan(0, (int)TotalBytes).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = grown;
        }
        if (Count + 2 > _offsets.Length)
        {
            var grown = ArrayPool<long>.Shared.Rent(2 * _offsets.Length);
            _offsets.AsSpan(0, Count + 1).CopyTo(grown);
            ArrayPool<long>.Shared.Return(_offsets);
            _offsets = grown;
        }
        return _bytes.AsSpan((int)TotalBytes, bytes);
    }

    private void Commit(int bytes)
    {
        _offsets[Count + 1] = _offsets[Count] + bytes;
        Count++;
    }
}
