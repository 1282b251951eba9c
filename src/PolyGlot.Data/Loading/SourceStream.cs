using PolyGlot.Data.Packing;

namespace PolyGlot.Data.Loading;

/// <summary>
/// One source as an endless, shuffled stream of documents. Each epoch visits the shards in an
/// order seeded by (seed, source, epoch) and the documents of a shard in an order seeded by
/// (seed, source, epoch, shard) (with <see cref="ShuffleUnit.RowGroups"/>: its row groups in that
/// order, the documents of each in an order seeded by the row group too), so only one shard is in
/// memory (plus the next one, read ahead on the thread pool). Its position lives in a <see cref="SourceState"/>, which is all a resume needs.
/// </summary>
public sealed class SourceStream : ITokenStream, IDisposable
{
    private readonly LoaderSource _source;
    private readonly IShardReader _reader;
    private readonly LanguageTable _languages;
    private readonly ulong _sourceSeed;
    private readonly SourceState _state;
    private readonly bool _readAhead;
    private readonly bool _decodeWholeShards;
    private readonly ShuffleUnit _shuffle;
    private (long Epoch, int[] Order) _shardOrder = (-1, []);
    private LoadedShard? _current;
    private (long Epoch, int Ordinal, Task<LoadedShard> Load)? _next;
    private int _emptyShardsInARow;

    /// <summary>
    /// Creates the stream; it reads and advances <paramref name="state"/>. With
    /// <paramref name="decodeWholeShards"/> (one rank consumes every row) shards read ahead are
    /// decoded in full on the pool; otherwise a shard's blocks are decoded when a row taken from
    /// the stream needs them, and rows skipped for other ranks decode nothing.
    /// </summary>
    public SourceStream(LoaderSource source, IShardReader reader, LanguageTable languages, ulong seed,
        SourceState state, bool readAhead = true, bool decodeWholeShards = true, ShuffleUnit shuffle = ShuffleUnit.Documents)
    {
        if (source.ShardPaths.Count == 0)
            throw new ArgumentException($"source '{source.Name}' has no shards.", nameof(source));
        _source = source;
        _reader = reader;
        _languages = languages;
        _sourceSeed = Seeds.Derive(seed, Seeds.Hash(source.Name));
        _state = state;
        _readAhead = readAhead;
        _decodeWholeShards = decodeWholeShards;
        _shuffle = shuffle;
    }

    /// <summary>The source streamed.</summary>
    public LoaderSource Source => _source;

    /// <summary>The shard visiting order of <paramref name="epoch"/> (indices into the manifest's shard list).</summary>
    public int[] ShardOrder(long epoch)
    {
        if (_shardOrder.Epoch != epoch)
            _shardOrder = (epoch, Seeds.Permutation(_source.ShardPaths.Count, Seeds.Derive(_sourceSeed, (ulong)epoch)));
        return _shardOrder.Order;
    }

    /// <inheritdoc />
    public TokenChunk Next(int maxTokens)
    {
        var (shard, document, start, count) = Take(maxTokens);
        return new TokenChunk(shard.Documents.Document(document).Slice(start, count), shard.LanguageIds[document], start == 0);
    }

    /// <inheritdoc />
    public (int Count, int LanguageId) Skip(int maxTokens)
    {
        var (shard, document, _, count) = Take(maxTokens);
        return (count, shard.LanguageIds[document]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // A read-ahead still running finishes on the pool; its shard is released when it does.
        Release(_next);
        _next = null;
        _current?.Documents.Dispose();
        _current = null;
    }

    // Advances past the next 1..maxTokens tokens of the current document, using lengths only.
    private (LoadedShard Shard, int Document, int Start, int Count) Take(int maxTokens)
    {
        while (true)
        {
            var shard = CurrentShard();
            if (_state.DocumentOrdinal >= shard.Order.Length)
            {
                AdvanceShard(shard.Order.Length == 0);
                continue;
            }
            var document = shard.Order[_state.DocumentOrdinal];
            var length = shard.Documents.Length(document);
            if (_state.TokenOffset >= length)
            {
                _state.DocumentOrdinal++;
                _state.TokenOffset = 0;
                continue;
            }
            var start = _state.TokenOffset;
            var count = Math.Min(maxTokens, length - start);
            _state.TokenOffset += count;
            _state.TokensConsumed += count;
            return (shard, document, start, count);
        }
    }

    private void AdvanceShard(bool wasEmpty)
    {
        _emptyShardsInARow = wasEmpty ? _emptyShardsInARow + 1 : 0;
        if (_emptyShardsInARow > _source.ShardPaths.Count)
            throw new InvalidDataException(
                $"source '{_source.Name}' has no document in its language filter in any of its {_source.ShardPaths.Count} shards; " +
                "check data.sources[].languages against the manifest.");
        _state.ShardOrdinal++;
        _state.DocumentOrdinal = 0;
        _state.TokenOffset = 0;
        if (_state.ShardOrdinal >= _source.ShardPaths.Count)
        {
            _state.Epoch++;
            _state.ShardOrdinal = 0;
        }
    }

    private LoadedShard CurrentShard()
    {
        if (_current is { } loaded && loaded.Epoch == _state.Epoch && loaded.Ordinal == _state.ShardOrdinal)
            return loaded;
        var previous = _current;
        if (_next is { } next && next.Epoch == _state.Epoch && next.Ordinal == _state.ShardOrdinal)
        {
            _current = next.Load.GetAwaiter().GetResult();
        }
        else
        {
            Release(_next);
            _current = Load(_state.Epoch, _state.ShardOrdinal);
        }
        _next = null;
        // A one-shard source keeps its documents across passes; any other shard is done with.
        if (previous is not null && !ReferenceEquals(previous.Documents, _current.Documents))
            previous.Documents.Dispose();
        if (_readAhead)
            StartReadAhead();
        return _current;
    }

    private void StartReadAhead()
    {
        var (epoch, ordinal) = _state.ShardOrdinal + 1 < _source.ShardPaths.Count
            ? (_state.Epoch, _state.ShardOrdinal + 1)
            : (_state.Epoch + 1, 0);
        // Only when the next shard is another file: a one-shard source would read itself again.
        if (_source.ShardPaths.Count == 1)
            return;
        var shardIndex = ShardOrder(epoch)[ordinal];
        var path = _source.ShardPaths[shardIndex];
        _next = (epoch, ordinal, Task.Run(() => LoadFile(epoch, ordinal, shardIndex, path)));
    }

    private LoadedShard Load(long epoch, int ordinal)
    {
        var shardIndex = ShardOrder(epoch)[ordinal];
        // A one-shard source (common for low-resource languages) wraps often: keep its tokens, reshuffle only.
        if (_current is { } previous && previous.ShardIndex == shardIndex)
            return Index(epoch, ordinal, shardIndex, previous.Documents);
        return LoadFile(epoch, ordinal, shardIndex, _source.ShardPaths[shardIndex]);
    }

    private LoadedShard LoadFile(long epoch, int ordinal, int shardIndex, string path)
    {
        var documents = _reader.Read(path);
        try
        {
            // A rank that consumes every row decodes the shard ahead, off the thread that builds batches.
            if (_decodeWholeShards)
                documents.DecodeAll();
            return Index(epoch, ordinal, shardIndex, documents);
        }
        catch
        {
            documents.Dispose();
            throw;
        }
    }

    private static void Release((long Epoch, int Ordinal, Task<LoadedShard> Load)? readAhead) =>
        readAhead?.Load.ContinueWith(t => t.Result.Documents.Dispose(), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private LoadedShard Index(long epoch, int ordinal, int shardIndex, ShardDocuments documents)
    {
        var path = documents.Path;
        var languageIds = new int[documents.Count];
        var kept = new List<int>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            if (_source.Languages is { } filter && !filter.Contains(documents.Languages[i]))
                continue;
            languageIds[i] = _languages.IdOf(documents.Languages[i], path);
            if (documents.Offsets[i + 1] > documents.Offsets[i])
                kept.Add(i);
        }
        var seed = Seeds.Derive(_sourceSeed, (ulong)epoch, (ulong)shardIndex);
        var order = _shuffle == ShuffleUnit.RowGroups ? RowGroupOrder(documents, kept, seed) : Permuted(kept, 0, kept.Count, seed);
        return new LoadedShard(epoch, ordinal, shardIndex, documents, order, languageIds);
    }

    // Row groups in a random order, the kept documents of each in a random order of their own.
    private static int[] RowGroupOrder(ShardDocuments documents, List<int> kept, ulong seed)
    {
        var firstKept = new int[documents.BlockCount + 1];
        for (int block = 0, k = 0; block <= documents.BlockCount; block++)
        {
            while (k < kept.Count && kept[k] < documents.BlockStart(block))
                k++;
            firstKept[block] = k;
        }
        var order = new List<int>(kept.Count);
        foreach (var block in Seeds.Permutation(documents.BlockCount, seed))
            order.AddRange(Permuted(kept, firstKept[block], firstKept[block + 1] - firstKept[block], Seeds.Derive(seed, (ulong)block)));
        return [.. order];
    }

    private static int[] Permuted(List<int> items, int start, int count, ulong seed)
    {
        var permutation = Seeds.Permutation(count, seed);
        var result = new int[count];
        for (var i = 0; i < count; i++)
            result[i] = items[start + permutation[i]];
        return result;
    }

    private sealed record LoadedShard(long Epoch, int Ordinal, int ShardIndex, ShardDocuments Documents, int[] Order, int[] LanguageIds);
}
