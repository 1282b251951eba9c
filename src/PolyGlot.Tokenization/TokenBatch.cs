using System.Buffers;

namespace PolyGlot.Tokenization;

/// <summary>
/// The ids of a batch of texts without an array per text: text <c>i</c> is <c>batch[i]</c>. An encoder fills it,
/// replacing what it held; kept from batch to batch it keeps its buffers (pooled), so a corpus is encoded without an
/// allocation per document. Spans read from it are valid until it is filled again or disposed.
/// </summary>
public sealed class TokenBatch : IDisposable
{
    private readonly List<int[]> _rented = [];
    private ReadOnlyMemory<int>[] _texts = [];

    /// <summary>Number of texts.</summary>
    public int Count { get; private set; }

    /// <summary>The ids of text <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _texts[index].Span;
        }
    }

    /// <summary>Ids of all texts together.</summary>
    public long TotalTokens
    {
        get
        {
            long total = 0;
            for (var i = 0; i < Count; i++)
                total += _texts[i].Length;
            return total;
        }
    }

    /// <summary>One array per text (for callers that keep the ids).</summary>
    public int[][] ToArrays()
    {
        var arrays = new int[Count][];
        for (var i = 0; i < Count; i++)
            arrays[i] = _texts[i].ToArray();
        return arrays;
    }

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose() => Reset(0);

    /// <summary>
    /// Starts a fill for <paramref name="count"/> texts, returning the buffers of the last one (for <see cref="ITokenizer"/>
    /// implementations; each text is then given with <see cref="Set"/>).
    /// </summary>
    public void Reset(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_rented)
        {
            foreach (var buffer in _rented)
                ArrayPool<int>.Shared.Return(buffer);
            _rented.Clear();
        }
        if (_texts.Length < count)
            _texts = new ReadOnlyMemory<int>[count];
        else
            Array.Clear(_texts, 0, Count);
        Count = count;
    }

    /// <summary>A pooled buffer of at least <paramref name="minimumLength"/> ids, held until the next fill (thread-safe).</summary>
    internal int[] Rent(int minimumLength)
    {
        var buffer = ArrayPool<int>.Shared.Rent(minimumLength);
        lock (_rented)
            _rented.Add(buffer);
        return buffer;
    }

    /// <summary>Sets the ids of text <paramref name="index"/> (different indices may be set from different threads).</summary>
    public void Set(int index, ReadOnlyMemory<int> ids)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        _texts[index] = ids;
    }
}
