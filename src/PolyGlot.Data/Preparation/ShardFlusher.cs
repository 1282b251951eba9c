using PolyGlot.Common.IO;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// Writes full shards on a background task while the next one fills (double buffering): Parquet
/// encoding, ZSTD and hashing overlap with tokenization. At most one shard is in flight, and
/// shards complete in order, each recorded in the progress file right after its rename. A shard's row groups
/// are compressed on up to <paramref name="threads"/> threads, so writing keeps pace with a parallel encoder.
/// </summary>
internal sealed class ShardFlusher(string directory, PrepareProgress progress, string source, int threads)
{
    private ShardBuffer _spare = new(source);
    private Task? _pending;
    private int _completed = progress.Shards.Count;

    /// <summary>Shards complete so far (earlier runs included).</summary>
    public int CompletedShards => Volatile.Read(ref _completed);

    /// <summary>Starts writing <paramref name="full"/> and returns an empty buffer to fill next.</summary>
    public ShardBuffer Submit(ShardBuffer full)
    {
        Drain();
        var empty = _spare;
        _pending = Task.Run(() =>
        {
            Write(full);
            full.Clear();
            _spare = full;
        });
        return empty;
    }

    /// <summary>Waits for the shard in flight; its failure surfaces here with its original type.</summary>
    public void Drain()
    {
        var pending = _pending;
        _pending = null;
        pending?.GetAwaiter().GetResult();
    }

    /// <summary>Waits for the shard in flight, ignoring its failure (used while another failure propagates).</summary>
    public void DrainQuietly()
    {
        try
        {
            Drain();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
        }
    }

    private void Write(ShardBuffer shard)
    {
        var file = ShardEntry.FileNameFor(progress.Shards.Count);
        var path = Path.Combine(directory, file);
        TokenShardWriter.Write(path, shard.TokenArray, shard.Offsets(), shard.Languages, shard.Source, maxDegreeOfParallelism: threads);
        progress.Shards.Add(new ShardEntry
        {
            File = file,
            Documents = shard.Documents,
            Tokens = shard.Tokens,
            TokensPerLanguage = shard.TokensPerLanguage(),
            Sha256 = FileHash.Sha256Hex(path),
        });
        progress.ShardBytesPerLanguage.Add(shard.BytesPerLanguage());
        progress.Save(directory);
        Interlocked.Increment(ref _completed);
    }
}
