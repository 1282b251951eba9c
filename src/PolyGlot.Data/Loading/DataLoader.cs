using System.Collections.Concurrent;

namespace PolyGlot.Data.Loading;

/// <summary>
/// The trainer's view of the data: <see cref="Next"/> returns this rank's slice of the next global
/// batch. A background thread runs the <see cref="BatchBuilder"/> ahead into a bounded queue, so
/// the training thread only dequeues. Batches are built strictly in order from the state, so
/// thread timing decides when a batch is ready, never what it holds.
/// </summary>
public sealed class DataLoader : IDisposable
{
    private readonly BatchBuilder _builder;
    private readonly BlockingCollection<Batch> _ready;
    private readonly ConcurrentQueue<Batch> _free = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _producer;
    private Exception? _failure;
    private DataState _state;
    private bool _disposed;

    /// <summary>
    /// Starts loading for rank <paramref name="rank"/> of <paramref name="worldSize"/> from
    /// <paramref name="resumeFrom"/> (null: the start of the run), keeping at most
    /// <paramref name="prefetchBatches"/> batches ready.
    /// </summary>
    public DataLoader(LoaderPlan plan, IShardReader reader, DataState? resumeFrom, int rank = 0, int worldSize = 1,
        int prefetchBatches = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetchBatches, 1);
        _builder = new BatchBuilder(plan, reader, resumeFrom, rank, worldSize);
        _state = _builder.State.Clone();
        _ready = new BlockingCollection<Batch>(prefetchBatches);
        Languages = plan.Languages.Codes;
        _producer = new Thread(Produce) { IsBackground = true, Name = "polyglot-data-loader" };
        _producer.Start();
    }

    /// <summary>The language codes that batch language ids index.</summary>
    public IReadOnlyList<string> Languages { get; }

    /// <summary>The state after the last batch returned by <see cref="Next"/>: save it with the checkpoint.</summary>
    public DataState State => _state.Clone();

    /// <summary>Returns this rank's slice of the next global batch; blocks until it is built.</summary>
    /// <exception cref="InvalidDataException">A shard could not be read (the message names it).</exception>
    public Batch Next()
    {
        Batch batch;
        try
        {
            batch = _ready.Take();
        }
        catch (InvalidOperationException) when (_failure is not null)
        {
            throw new InvalidDataException(_failure.Message, _failure);
        }
        batch.OnDispose(_free.Enqueue);
        _state = batch.StateAfter;
        return batch;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stop.Cancel();
        _producer.Join();
        _builder.Dispose();
        _ready.Dispose();
        _stop.Dispose();
    }

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var batch = _free.TryDequeue(out var reused) ? reused : _builder.CreateBatch();
                _builder.Build(batch);
                _ready.Add(batch, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e;
            _ready.CompleteAdding();
        }
    }
}
