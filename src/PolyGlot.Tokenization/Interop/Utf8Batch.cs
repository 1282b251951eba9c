using System.Text;

namespace PolyGlot.Tokenization.Interop;

/// <summary>Many texts as one UTF-8 buffer plus offsets (text i = Bytes[Offsets[i]..Offsets[i+1]]), the shape the native batch calls take.</summary>
internal sealed class Utf8Batch
{
    private Utf8Batch(byte[] bytes, long[] offsets)
    {
        Bytes = bytes;
        Offsets = offsets;
    }

    public byte[] Bytes { get; }

    public long[] Offsets { get; }

    public long TotalBytes => Offsets[^1];

    public static Utf8Batch From(IReadOnlyList<string> texts)
    {
        var offsets = new long[texts.Count + 1];
        for (var i = 0; i < texts.Count; i++)
            offsets[i + 1] = offsets[i] + Encoding.UTF8.GetByteCount(texts[i]);
        // One spare byte keeps `fixed` on an empty batch pointing at real memory.
        var bytes = new byte[offsets[^1] + 1];
        for (var i = 0; i < texts.Count; i++)
            Encoding.UTF8.GetBytes(texts[i], bytes.AsSpan((int)offsets[i]));
        return new Utf8Batch(bytes, offsets);
    }
}
