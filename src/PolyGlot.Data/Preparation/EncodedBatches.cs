using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
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
/// Encodes batches ahead of their consumer, on a thread of its own: while the consumer appends a batch's documents to a
/// shard (one thread), the next batches are being encoded on the encoder's threads. Without this the append, a few
/// percent of one core's encoding work, would leave every encoding core idle while it runs, which on many cores is a
/// large share of the time. On more than one thread two batches are encoded at once: a batch's encode ends with its
/// last chunks running on fewer threads than it has, and the next batch's chunks take the cores that would otherwise
/// wait for them (on one thread there is no such wait, and two encodes would only take turns).
/// </summary>
internal sealed class EncodedBatches(ITokenizer tokenizer, int threads) : IDisposable
{
    private readonly int _concurrentBatches = threads == 1 ? 1 : 2;

    private readonly ConcurrentBag<TokenBatch> _spares = [];
    private readonly Lock _clock = new();
    private int _encoding;
    private long _busySince;
    private long _busyTicks;

    /// <summary>Time during which at least one batch was being encoded (by the clock): for the rest of a run the encoder waited for input or for its consumer.</summary>
    public TimeSpan EncodingTime
    {
        get
        {
            lock (_clock)
                return TimeSpan.FromTicks(_busyTicks) + (_encoding > 0 ? Stopwatch.GetElapsedTime(_busySince) : TimeSpan.Zero);
        }
    }

    /// <summary>The batches, in order, each encoded; a batch's encoding failure surfaces where that batch would have.</summary>
    public IEnumerable<EncodedBatch> Encode(IEnumerable<DocumentBatch> batches) => Prefetch.Ahead(EncodeEach(batches));

    private IEnumerable<EncodedBatch> EncodeEach(IEnumerable<DocumentBatch> batches)
    {
        var inFlight = new Queue<(EncodedBatch Batch, Task Encoding)>();
        using var reader = batches.GetEnumerator();
        try
        {
            ExceptionDispatchInfo? readFailure;
            while (true)
            {
                (var batch, readFailure) = Read(reader);
                if (batch is null)
                    break;
                inFlight.Enqueue(Start(batch));
                if (inFlight.Count == _concurrentBatches)
                    yield return Finish(inFlight.Dequeue());
            }
            while (inFlight.Count > 0)
                yield return Finish(inFlight.Dequeue());
            // A read failure (bad input after these batches) comes after the batches read before it, whose own
            // failures, in input order, come first.
            readFailure?.Throw();
        }
        finally
        {
            // Stopped early (a failure, or the consumer stopped): a batch still being encoded owns its buffers until its encode ends.
            foreach (var (batch, encoding) in inFlight)
            {
                try
                {
                    encoding.Wait();
                }
                catch (AggregateException)
                {
                    // Its failure comes after the one already on its way (or after the consumer stopped): not reported.
                }
                batch.Dispose();
            }
        }
    }

    // The next batch; none at the end of the input, or with the failure that ended it.
    private static (DocumentBatch? Batch, ExceptionDispatchInfo? Failure) Read(IEnumerator<DocumentBatch> reader)
    {
        try
        {
            return (reader.MoveNext() ? reader.Current : null, null);
        }
        catch (Exception e)
        {
            return (null, ExceptionDispatchInfo.Capture(e));
        }
    }

    private (EncodedBatch, Task) Start(DocumentBatch documents)
    {
        var batch = new EncodedBatch(documents, _spares.TryTake(out var spare) ? spare : new TokenBatch(), _spares);
        // On a thread of its own, which takes part in its chunks: a pool thread might not be free to start it while
        // the pool's threads work on the other batch's chunks, and then the two would not overlap.
        var encoding = Task.Factory.StartNew(() =>
        {
            Enter();
            try
            {
                documents.Encode(tokenizer, batch.Ids, threads);
            }
            finally
            {
                Leave();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return (batch, encoding);
    }

    // Waits for the batch's encode; its failure surfaces here with its own type, after the failures of earlier batches.
    private static EncodedBatch Finish((EncodedBatch Batch, Task Encoding) started)
    {
        try
        {
            started.Encoding.GetAwaiter().GetResult();
        }
        catch
        {
            started.Batch.Dispose();
            throw;
        }
        return started.Batch;
    }

    private void Enter()
    {
        lock (_clock)
            if (_encoding++ == 0)
                _busySince = Stopwatch.GetTimestamp();
    }

    private void Leave()
    {
        lock (_clock)
            if (--_encoding == 0)
                _busyTicks += Stopwatch.GetElapsedTime(_busySince).Ticks;
    }

    /// <summary>Returns the pooled buffers of the ids handed back (call once the enumeration has ended).</summary>
    public void Dispose()
    {
        while (_spares.TryTake(out var ids))
            ids.Dispose();
    }
}
