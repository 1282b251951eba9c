using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Writing;

/// <summary>
/// A dictionary of distinct byte strings for one column chunk, built only when it pays: it gives up
/// once the distinct values pass a byte budget or a dictionary would not be clearly smaller than plain.
/// </summary>
internal sealed class BinaryDictionary
{
    private readonly List<(int Start, int Length)> _entries = [];
    private readonly byte[] _source;

    private BinaryDictionary(byte[] source, int[] indices)
    {
        _source = source;
        Indices = indices;
    }

    /// <summary>Dictionary index per value slot (undefined for null slots).</summary>
    public int[] Indices { get; }

    public int Count => _entries.Count;

    public static BinaryDictionary? TryBuild(ColumnData data, int maxBytes)
    {
        var comparer = new SliceComparer(data.ByteData);
        var lookup = new Dictionary<(int Start, int Length), int>(comparer);
        var dictionary = new BinaryDictionary(data.ByteData, new int[data.ValueCount]);
        long dictionaryBytes = 0, plainBytes = 0;
        var nonNull = 0;
        for (var i = 0; i < data.ValueCount; i++)
        {
            if (data.IsNull(i)) continue;
            nonNull++;
            var key = (data.ByteOffsets[i], data.ByteOffsets[i + 1] - data.ByteOffsets[i]);
            plainBytes += 4 + key.Item2;
            if (!lookup.TryGetValue(key, out var index))
            {
                index = dictionary._entries.Count;
                lookup.Add(key, index);
                dictionary._entries.Add(key);
                dictionaryBytes += 4 + key.Item2;
                if (dictionaryBytes > maxBytes) return null;
            }
            dictionary.Indices[i] = index;
        }
        var indexBytes = (long)nonNull * Math.Max(1, Encodings.RleHybridEncoder.BitWidth(dictionary.Count - 1)) / 8;
        return dictionaryBytes + indexBytes < plainBytes * 3 / 4 ? dictionary : null;
    }

    /// <summary>The dictionary page body: the distinct values PLAIN-encoded.</summary>
    public void WritePlain(ArrayBufferWriter<byte> output)
    {
        foreach (var (start, length) in _entries)
        {
            var span = output.GetSpan(4 + length);
            BinaryPrimitives.WriteInt32LittleEndian(span, length);
            _source.AsSpan(start, length).CopyTo(span[4..]);
            output.Advance(4 + length);
        }
    }

    /// <summary>Bit width byte plus RLE/bit-packed indices of the non-null slots in a range.</summary>
    public void WriteIndices(ColumnData data, int start, int end, ArrayBufferWriter<byte> output)
    {
        var bitWidth = Encodings.RleHybridEncoder.BitWidth(Count - 1);
        output.Write([(byte)bitWidth]);
        var values = new List<int>(end - start);
        for (var i = start; i < end; i++)
            if (!data.IsNull(i)) values.Add(Indices[i]);
        Encodings.RleHybridEncoder.Encode(CollectionsMarshal.AsSpan(values), bitWidth, output);
    }

    private sealed class SliceComparer(byte[] bytes) : IEqualityComparer<(int Start, int Length)>
    {
        public bool Equals((int Start, int Length) x, (int Start, int Length) y) =>
            x.Length == y.Length && bytes.AsSpan(x.Start, x.Length).SequenceEqual(bytes.AsSpan(y.Start, y.Length));

        public int GetHashCode((int Start, int Length) key)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes.AsSpan(key.Start, key.Length));
            return hash.ToHashCode();
        }
    }
}
