using System.Collections.Concurrent;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// Runs an enumeration one item ahead on a background thread, so that making the next item (reading and decompressing
/// a batch; encoding one) overlaps with the consumer's work on the current one; memory stays at two items. Items never
/// handed out are disposed.
/// </summary>
internal static class Prefetch
{
    public static IEnumerable<T> Ahead<T>(IEnumerable<T> items)
    {
        using var queue = new BlockingCollection<T>(boundedCapacity: 1);
        using var stop = new CancellationTokenSource();
        // A dedicated thread: the producer blocks while the queue is full, which on a pool thread
        // would make the pool inject threads and compete with the parallel encoder.
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var item in items)
                {
                    try
                    {
                        queue.Add(item, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        (item as IDisposable)?.Dispose();
                        throw;
                    }
                }
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var item in queue.GetConsumingEnumerable())
                yield return item;
            // The producer's own failure (e.g. bad input) surfaces here with its original type.
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            try
            {
                producer.Wait();
            }
            catch (AggregateException)
            {
                // Already rethrown above, or the consumer stopped early and its exception wins.
            }
            // Items made but never handed out (the consumer stopped early) give back what they hold.
            while (queue.TryTake(out var left))
                (left as IDisposable)?.Dispose();
        }
    }
}
