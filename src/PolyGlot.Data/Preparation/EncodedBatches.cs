using System.Collections.Concurrent;
using System.Diagnostics;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation;

/// <summary>A batch of documents with their ids. Dispose it once its ids are used: that hands its buffers back.</summary>
internal sealed class EncodedBatch(DocumentBatch documents, TokenBatch ids, ConcurrentBag<TokenBatch> spares) : IDisposable
{
    private int _disposed;

    public DocumentBatch Documents => documents;

    public TokenBatch Ids => ids;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        documents.Dispose();
        spares.Add(ids);
    }
}

/// <summary>
/// Encodes batches one ahead of their consumer, on a thread of its own: while the consumer appends a batch's documents
/// to a shard (one thread), the next batch is already being encoded on all the encoder's threads. Without this the
/// append, a few percent of one core's encoding work, would leave every encoding core idle while it runs, which on
/// many cores is a large share of the time. Ids buffers are reused; at most three batches are encoded at once.
/// </summary>
internal sealed class EncodedBatches(ITokenizer tokenizer, int threads) : IDisposable
{
    private readonly ConcurrentBag<TokenBatch> _spares = [];
    private long _encodingTicks;

    /// <summary>Time spent encoding batches so far (by the clock): the rest of a run, the encoder waited for input or for its consumer.</summary>
    public TimeSpan EncodingTime => TimeSpan.FromTicks(Interlocked.Read(ref _encodingTicks));

    /// <summary>The batches, in order, each encoded; a batch's encoding failure surfaces where that batch would have.</summary>
    public IEnumerable<EncodedBatch> Encode(IEnumerable<DocumentBatch> batches) => Prefetch.Ahead(EncodeEach(batches));

    private IEnumerable<EncodedBatch> EncodeEach(IEnumerable<DocumentBatch> batches)
    {
        foreach (var batch in batches)
        {
            var ids = _spares.TryTake(out var spare) ? spare : new TokenBatch();
            var start = Stopwatch.GetTimestamp();
            try
            {
                batch.Encode(tokenizer, ids, threads);
                Interlocked.Add(ref _encodingTicks, Stopwatch.GetElapsedTime(start).Ticks);
            }
            catch
            {
                batch.Dispose();
                _spares.Add(ids);
                throw;
            }
            yield return new EncodedBatch(batch, ids, _spares);
        }
    }

    /// <summary>Returns the pooled buffers of the ids handed back (call once the enumeration has ended).</summary>
    public void Dispose()
    {
        while (_spares.TryTake(out var ids))
            ids.Dispose();
    }
}
