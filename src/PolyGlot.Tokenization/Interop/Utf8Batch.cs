using System.Buffers;
using System.Text;

namespace PolyGlot.Tokenization.Interop;

/// <summary>Many texts as one UTF-8 buffer plus offsets (text i = Bytes[Offsets[i]..Offsets[i+1]]), the shape the native batch calls take.</summary>
internal sealed class Utf8Batch : IDisposable
{
    private Utf8Batch(byte[] bytes, long[] offsets)
    {
        Bytes = bytes;
        Offsets = offsets;
    }

    public byte[] Bytes { get; }

    public long[] Offsets { get; }

    public long TotalBytes => Offsets[^1];

    public void Dispose() => ArrayPool<byte>.Shared.Return(Bytes);

    public static Utf8Batch From(IReadOnlyList<string> texts) => From(texts, 0, texts.Count);

    /// <summary>Texts <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    public static Utf8Batch From(IReadOnlyList<string> texts, int start, int end)
    {
        var offsets = new long[end - start + 1];
        for (var i = start; i < end; i++)
            offsets[i - start + 1] = offsets[i - start] + Encoding.UTF8.GetByteCount(texts[i]);
        // Pooled (returned on Dispose); one spare byte keeps `fixed` on an empty batch pointing at real memory.
        var bytes = ArrayPool<byte>.Shared.Rent(checked((int)offsets[^1] + 1));
        for (var i = start; i < end; i++)
            Encoding.UTF8.GetBytes(texts[i], bytes.AsSpan((int)offsets[i - start]));
        return new Utf8Batch(bytes, offsets);
    }
}
