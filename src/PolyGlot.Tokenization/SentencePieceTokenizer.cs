using PolyGlot.Common.IO;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text.Unicode;
using System.Runtime.InteropServices;
using System.Text;
using PolyGlot.Tokenization.Interop;

namespace PolyGlot.Tokenization;

/// <summary>
/// A loaded SentencePiece model: encode (single and batched, parallel over cores), decode and
/// vocabulary access. Encoding is thread-safe; the model is released on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// BPE models trained as <c>polyglot tokenizer train</c> trains them (whitespace-split pieces,
/// identity normalization, no dummy prefix) are encoded word by word through a bounded cache per
/// encode running at the same time, backed by one bounded cache they share: the ids of a text
/// are the ids of its whitespace-led pieces put together, so only pieces no encode has seen
/// recently go through SentencePiece. The ids are exactly SentencePiece's;
/// models for which that would not hold are encoded whole (<see cref="PieceCacheOffReason"/>).
/// </remarks>
public sealed unsafe class SentencePieceTokenizer : ITokenizer
{
    // Batches smaller than this are encoded on the calling thread: splitting them costs more
    // in scheduling than the parallel encode saves. (UTF-8 batches use twice this, in bytes.)
    private const int MinCharsPerParallelChunk = 32 * 1024;

    /// <summary>
    /// Piece cache size per encode running at the same time, and of the cache they share, used by <see cref="Load(string)"/>:
    /// 8 MiB holds ~130,000 pieces.
    /// </summary>
    public const long DefaultPieceCacheBytes = 8L << 20;

    /// <summary>Smallest piece cache <see cref="Load(string, long)"/> accepts (other than 0, none).</summary>
    public const long MinPieceCacheBytes = 64L << 10;

    /// <summary>Largest piece cache <see cref="Load(string, long)"/> accepts.</summary>
    public const long MaxPieceCacheBytes = 4L << 30;

    // Piece caches belong to slots, not threads (pg_spm.cpp): an encode holds a slot while it runs, so there are never
    // more caches than encodes that ran at once, and the most recently freed slot, whose cache is warm, goes out first.
    private const int MaxCacheSlots = 1024; // the native side's kMaxSlots (pg_spm.cpp): slots 0 .. 1023
    private readonly ConcurrentStack<int> _freeSlots = new();
    private int _slotsMade;

    private readonly SpmHandle _handle;

    private SentencePieceTokenizer(SpmHandle handle, string modelPath)
    {
        _handle = handle;
        ModelPath = modelPath;
        var off = Marshal.PtrToStringUTF8(CheckPointer(NativeSpm.CacheOff(Raw), "reading the piece cache state"))!;
        PieceCacheOffReason = off.Length == 0 ? null : off;
        VocabSize = NativeSpm.Check(NativeSpm.PieceSize(Raw), "reading the vocabulary size");
        Span<int> ids = stackalloc int[4];
        fixed (int* p = ids)
            NativeSpm.Check(NativeSpm.SpecialIds(Raw, p), "reading the special token ids");
        Special = new SpecialTokens(PadId: ids[3], BosId: ids[1], EosId: ids[2], UnkId: ids[0]);
    }

    /// <summary>Path of the <c>.model</c> file this tokenizer was loaded from.</summary>
    public string ModelPath { get; }

    /// <summary>Number of pieces in the vocabulary.</summary>
    public int VocabSize { get; }

    /// <summary>Reserved ids of this model (-1 where the model lacks one).</summary>
    public SpecialTokens Special { get; }

    /// <summary>Why this model is encoded without the piece cache (e.g. a unigram model), or null when it uses one.</summary>
    public string? PieceCacheOffReason { get; }

    /// <summary>
    /// Before each whitespace symbol that follows another character where the model is encoded word by word (the same
    /// argument makes both exact); none otherwise, e.g. for unigram models or when loaded without a piece cache.
    /// </summary>
    public TextCuts Cuts => PieceCacheOffReason is null ? TextCuts.BeforeSentencePieceWhitespace : TextCuts.None;

    private nint Raw => _handle.DangerousGetHandle();

    /// <summary>Loads a SentencePiece <c>.model</c> file with piece caches of <see cref="DefaultPieceCacheBytes"/> (per encode running at the same time, and shared).</summary>
    /// <exception cref="TokenizerException">The file is missing or is not a SentencePiece model.</exception>
    public static SentencePieceTokenizer Load(string modelPath) => Load(modelPath, DefaultPieceCacheBytes);

    /// <summary>
    /// Loads a SentencePiece <c>.model</c> file; each encode running at the same time as others (a batch chunk, a call)
    /// uses a piece cache of <paramref name="pieceCacheBytes"/>, and all share one more of that size, consulted when
    /// the own one misses (0: none, every text goes through SentencePiece whole; otherwise at least 64 KiB). With
    /// at most n encodes at once the caches take up to (n + 1) x <paramref name="pieceCacheBytes"/>.
    /// </summary>
    /// <exception cref="TokenizerException">The file is missing or is not a SentencePiece model, or the cache size is out of range.</exception>
    public static SentencePieceTokenizer Load(string modelPath, long pieceCacheBytes)
    {
        if (!File.Exists(modelPath))
            throw new TokenizerException(
                $"Tokenizer model {modelPath} does not exist; train one with `polyglot tokenizer train` or check the path.");
        if (pieceCacheBytes != 0 && pieceCacheBytes is < MinPieceCacheBytes or > MaxPieceCacheBytes)
            throw new TokenizerException(
                $"A piece cache of {pieceCacheBytes} bytes is out of range: pass 0 (no cache) or {MinPieceCacheBytes}..{MaxPieceCacheBytes} bytes.");
        var raw = NativeSpm.Load(modelPath, pieceCacheBytes);
        if (raw == 0)
            throw new TokenizerException(
                $"{modelPath} is not a SentencePiece model ({Marshal.PtrToStringUTF8(NativeSpm.LastError())}). " +
                "Pass the .model file written by `polyglot tokenizer train` (not the .vocab file).");
        return new SentencePieceTokenizer(new SpmHandle(raw), Path.GetFullPath(modelPath));
    }

    /// <summary>Lower-case hex SHA-256 of the model file, as recorded in shard manifests.</summary>
    public string ComputeSha256() => FileHash.Sha256Hex(ModelPath);

    /// <summary>Encodes one text into token ids.</summary>
    public int[] Encode(string text) => EncodeBatch([text], maxDegreeOfParallelism: 1)[0];

    /// <summary>
    /// Encodes many texts with one native call per chunk, chunks spread over up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (-1: all cores). Result i belongs to text i.
    /// </summary>
    public int[][] EncodeBatch(IReadOnlyList<string> texts, int maxDegreeOfParallelism = -1)
    {
        using var batch = new TokenBatch();
        EncodeBatch(texts, batch, maxDegreeOfParallelism);
        return batch.ToArrays();
    }

    /// <summary>
    /// Encodes many texts into <paramref name="output"/> (replacing what it held), with one native call per chunk,
    /// chunks spread over up to <paramref name="maxDegreeOfParallelism"/> threads (-1: all cores).
    /// </summary>
    public void EncodeBatch(IReadOnlyList<string> texts, TokenBatch output, int maxDegreeOfParallelism = -1)
    {
        output.Reset(texts.Count);
        // Each chunk converts its own texts to UTF-8, keeping that work parallel too.
        var lengths = new long[texts.Count + 1];
        for (var i = 0; i < texts.Count; i++)
            lengths[i + 1] = lengths[i] + texts[i].Length;
        ForEachChunk(lengths, MinCharsPerParallelChunk, maxDegreeOfParallelism, (start, end) =>
        {
            using var utf8 = Utf8TextBatch.From(texts, start, end);
            EncodeUtf8(utf8, 0, end - start, output, start);
        });
    }

    /// <summary>
    /// Encodes texts that are UTF-8 already into <paramref name="output"/> (replacing what it held), without converting
    /// them, with one native call per chunk, chunks spread over up to <paramref name="maxDegreeOfParallelism"/> threads (-1: all cores).
    /// </summary>
    /// <exception cref="TokenizerException">A text is not valid UTF-8 (the message gives its index).</exception>
    public void EncodeBatch(Utf8TextBatch texts, TokenBatch output, int maxDegreeOfParallelism = -1)
    {
        if (!TryEncodeBatch(texts, output, out var invalid, maxDegreeOfParallelism))
            throw new TokenizerException($"text {invalid} of the batch is not valid UTF-8; check texts where they are read, where the error can name their source");
    }

    /// <inheritdoc />
    public bool TryEncodeBatch(Utf8TextBatch texts, TokenBatch output, out int firstInvalid, int maxDegreeOfParallelism = -1)
    {
        output.Reset(texts.Count);
        // Each chunk checks its texts just before encoding them (on the encoding threads, the bytes still in cache);
        // a chunk with an invalid text encodes nothing, and the lowest such index is the one reported.
        var invalid = texts.Count;
        ForEachChunk(texts.Offsets.AsSpan(0, texts.Count + 1), 2 * MinCharsPerParallelChunk, maxDegreeOfParallelism, (start, end) =>
        {
            for (var i = start; i < end; i++)
                if (!Utf8.IsValid(texts[i]))
                {
                    LowerTo(ref invalid, i);
                    return;
                }
            EncodeUtf8(texts, start, end - start, output, start);
        });
        firstInvalid = invalid < texts.Count ? invalid : -1;
        return firstInvalid < 0;
    }

    private static void LowerTo(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value < seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
                return;
    }

    // Splits texts 0 .. cumulative.Length - 2 into chunks of about equal size (cumulative[i]: size of the texts before i)
    // and runs encode(start, end) for each, in parallel.
    private static void ForEachChunk(ReadOnlySpan<long> cumulative, long minChunkSize, int maxDegreeOfParallelism, Action<int, int> encode)
    {
        var count = cumulative.Length - 1;
        if (count == 0)
            return;
        var threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        var total = cumulative[^1];
        var chunks = (int)Math.Min(Math.Clamp(total / minChunkSize, 1, threads * 4L), count);
        if (chunks == 1 || threads == 1)
        {
            encode(0, count);
            return;
        }
        var bounds = new int[chunks + 1];
        for (var c = 1; c < chunks; c++)
        {
            var index = cumulative.BinarySearch(total * c / chunks);
            bounds[c] = Math.Max(bounds[c - 1], index >= 0 ? index : ~index);
        }
        bounds[chunks] = count;
        try
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, chunk => encode(bounds[chunk], bounds[chunk + 1]));
        }
        catch (AggregateException e)
        {
            // The first failure with its own type (a TokenizerException), as on one thread.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>Decodes token ids back into text.</summary>
    /// <exception cref="TokenizerException">An id is outside the vocabulary.</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        long capacity = ids.Length * 8L + 16, needed;
        while (true)
        {
            var buffer = new byte[capacity];
            int status;
            fixed (int* pIds = ids)
            fixed (byte* pOut = buffer)
                status = NativeSpm.Check(NativeSpm.Decode(Raw, pIds, ids.Length, pOut, capacity, &needed), "decode");
            if (status != NativeSpm.BufferTooSmall)
                return Encoding.UTF8.GetString(buffer, 0, (int)needed);
            capacity = needed;
        }
    }

    /// <summary>The piece text of <paramref name="id"/> (e.g. <c>▁the</c>, <c>&lt;0x0A&gt;</c>).</summary>
    public string IdToPiece(int id) =>
        Marshal.PtrToStringUTF8(CheckPointer(NativeSpm.IdToPiece(Raw, id), $"looking up piece {id}"))!;

    /// <summary>The id of <paramref name="piece"/>, or <see cref="SpecialTokens.UnkId"/> when absent.</summary>
    public int PieceToId(string piece) => NativeSpm.PieceToId(Raw, piece);

    /// <summary>The score of piece <paramref name="id"/> (BPE: minus its merge rank; unigram: log probability).</summary>
    public float ScoreOf(int id)
    {
        float score;
        NativeSpm.Check(NativeSpm.PieceScore(Raw, id, &score), $"looking up piece {id}");
        return score;
    }

    /// <summary>What kind of piece <paramref name="id"/> is.</summary>
    public PieceKind KindOf(int id) =>
        (PieceKind)NativeSpm.Check(NativeSpm.PieceFlags(Raw, id), $"looking up piece {id}");

    /// <summary>Totals of every piece cache this model's encodes have used so far, the shared one included.</summary>
    public PieceCacheStatistics GetPieceCacheStatistics()
    {
        Span<long> stats = stackalloc long[8];
        fixed (long* p = stats)
            NativeSpm.Check(NativeSpm.CacheStats(Raw, p), "reading the piece cache statistics");
        return new PieceCacheStatistics(stats[0], stats[1], stats[2], stats[3], stats[4], stats[5], stats[6], stats[7]);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    // Encodes texts first .. first + count - 1 of utf8 into output[outputIndex ..].
    private void EncodeUtf8(Utf8TextBatch utf8, int first, int count, TokenBatch output, int outputIndex)
    {
        if (count == 0)
            return;
        var idOffsets = new long[count + 1];
        // With identity normalization every piece covers at least one input byte, so the byte
        // count bounds the id count; models from elsewhere (dummy prefix) may need one retry.
        // The buffer is pooled (the batch returns it when filled again): it is 4x the text size
        // and would otherwise be a fresh, zeroed large-object allocation per chunk.
        var bytes = utf8.Offsets[first + count] - utf8.Offsets[first];
        var ids = output.Rent(checked((int)(bytes + count)));
        if (EncodeInto(utf8, first, count, ids, idOffsets, out var needed) == NativeSpm.BufferTooSmall)
        {
            ids = output.Rent(checked((int)needed));
            EncodeInto(utf8, first, count, ids, idOffsets, out _);
        }
        for (var i = 0; i < count; i++)
            output.Set(outputIndex + i, ids.AsMemory((int)idOffsets[i], (int)(idOffsets[i + 1] - idOffsets[i])));
    }

    // The native call reads text j at Bytes[offsets[j]]: the offsets of texts first .. are passed as they are.
    private int EncodeInto(Utf8TextBatch utf8, int first, int count, int[] ids, long[] idOffsets, out long needed)
    {
        long total;
        int status;
        var slot = RentSlot();
        try
        {
            fixed (byte* pText = utf8.Bytes)
            fixed (long* pOffsets = &utf8.Offsets[first])
            fixed (long* pIdOffsets = idOffsets)
            fixed (int* pIds = ids)
                status = NativeSpm.Check(NativeSpm.EncodeBatch(Raw, slot, pText, pOffsets, count, pIds, ids.Length, pIdOffsets, &total), "encode");
        }
        finally
        {
            ReturnSlot(slot);
        }
        needed = total;
        return status;
    }

    /// <summary>A free cache slot, held until <see cref="ReturnSlot"/>; -1 (encode without a cache, same ids) once
    /// <see cref="MaxCacheSlots"/> encodes run at the same time.</summary>
    internal int RentSlot()
    {
        if (_freeSlots.TryPop(out var slot))
            return slot;
        while (true)
        {
            var made = Volatile.Read(ref _slotsMade);
            if (made >= MaxCacheSlots)
                return -1;
            if (Interlocked.CompareExchange(ref _slotsMade, made + 1, made) == made)
                return made;
        }
    }

    /// <summary>Frees a slot from <see cref="RentSlot"/>.</summary>
    internal void ReturnSlot(int slot)
    {
        if (slot >= 0)
            _freeSlots.Push(slot);
    }

    private static nint CheckPointer(nint pointer, string operation)
    {
        if (pointer == 0)
            NativeSpm.Check(-1, operation);
        return pointer;
    }

    private sealed class SpmHandle(nint handle) : SafeHandle(handle, ownsHandle: true)
    {
        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            NativeSpm.Free(handle);
            return true;
        }
    }
}

/// <summary>Kinds of vocabulary pieces (flags; a normal piece has none).</summary>
[Flags]
public enum PieceKind
{
    /// <summary>An ordinary learned piece or a user-defined symbol.</summary>
    Normal = 0,

    /// <summary>The unknown token.</summary>
    Unknown = 1,

    /// <summary>A control token (bos, eos, pad): never produced by encoding text.</summary>
    Control = 2,

    /// <summary>A piece marked unused.</summary>
    Unused = 4,

    /// <summary>One of the 256 byte-fallback pieces <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>.</summary>
    Byte = 8,
}
