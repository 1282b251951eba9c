using PolyGlot.Common.IO;
using System.Buffers;
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
/// encoding thread, backed by one bounded cache shared by the model's threads: the ids of a text
/// are the ids of its whitespace-led pieces put together, so only pieces no thread has seen
/// recently go through SentencePiece. The ids are exactly SentencePiece's;
/// models for which that would not hold are encoded whole (<see cref="PieceCacheOffReason"/>).
/// </remarks>
public sealed unsafe class SentencePieceTokenizer : ITokenizer
{
    // Batches smaller than this are encoded on the calling thread: splitting them costs more
    // in scheduling than the parallel encode saves.
    private const int MinCharsPerParallelChunk = 32 * 1024;

    /// <summary>
    /// Piece cache size per encoding thread, and of the cache the threads share, used by <see cref="Load(string)"/>:
    /// 8 MiB holds ~130,000 pieces.
    /// </summary>
    public const long DefaultPieceCacheBytes = 8L << 20;

    /// <summary>Smallest piece cache <see cref="Load(string, long)"/> accepts (other than 0, none).</summary>
    public const long MinPieceCacheBytes = 64L << 10;

    /// <summary>Largest piece cache <see cref="Load(string, long)"/> accepts.</summary>
    public const long MaxPieceCacheBytes = 4L << 30;

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

    private nint Raw => _handle.DangerousGetHandle();

    /// <summary>Loads a SentencePiece <c>.model</c> file with piece caches of <see cref="DefaultPieceCacheBytes"/> (per encoding thread, and shared).</summary>
    /// <exception cref="TokenizerException">The file is missing or is not a SentencePiece model.</exception>
    public static SentencePieceTokenizer Load(string modelPath) => Load(modelPath, DefaultPieceCacheBytes);

    /// <summary>
    /// Loads a SentencePiece <c>.model</c> file; each thread that encodes with it keeps a piece cache of
    /// <paramref name="pieceCacheBytes"/>, and the threads share one more of that size, which a thread consults when
    /// its own misses (0: none, every text goes through SentencePiece whole; otherwise at least 64 KiB). With
    /// n encoding threads the caches take up to (n + 1) x <paramref name="pieceCacheBytes"/>.
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
        var threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        // Chunk boundaries by cumulative text length, so chunks cost about the same; each chunk
        // converts its own texts to UTF-8, keeping that work parallel too.
        var lengths = new long[texts.Count + 1];
        for (var i = 0; i < texts.Count; i++)
            lengths[i + 1] = lengths[i] + texts[i].Length;
        var chunks = (int)Math.Clamp(lengths[^1] / MinCharsPerParallelChunk, 1, threads * 4L);
        chunks = Math.Min(chunks, Math.Max(1, texts.Count));
        if (chunks == 1 || threads == 1)
        {
            EncodeRange(texts, 0, texts.Count, output);
            return;
        }
        var bounds = new int[chunks + 1];
        for (var c = 1; c < chunks; c++)
        {
            var index = Array.BinarySearch(lengths, lengths[^1] * c / chunks);
            bounds[c] = Math.Max(bounds[c - 1], index >= 0 ? index : ~index);
        }
        bounds[chunks] = texts.Count;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            chunk => EncodeRange(texts, bounds[chunk], bounds[chunk + 1], output));
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

    /// <summary>Totals of the piece caches of every thread that has encoded with this model so far, and of the shared one.</summary>
    public PieceCacheStatistics GetPieceCacheStatistics()
    {
        Span<long> stats = stackalloc long[8];
        fixed (long* p = stats)
            NativeSpm.Check(NativeSpm.CacheStats(Raw, p), "reading the piece cache statistics");
        return new PieceCacheStatistics(stats[0], stats[1], stats[2], stats[3], stats[4], stats[5], stats[6], stats[7]);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private void EncodeRange(IReadOnlyList<string> texts, int start, int end, TokenBatch output)
    {
        var count = end - start;
        if (count == 0)
            return;
        using var utf8 = Utf8Batch.From(texts, start, end);
        var idOffsets = new long[count + 1];
        // With identity normalization every piece covers at least one input byte, so the byte
        // count bounds the id count; models from elsewhere (dummy prefix) may need one retry.
        // The buffer is pooled (the batch returns it when filled again): it is 4x the text size
        // and would otherwise be a fresh, zeroed large-object allocation per chunk.
        var ids = output.Rent(checked((int)(utf8.TotalBytes + count)));
        if (EncodeInto(utf8, count, ids, idOffsets, out var needed) == NativeSpm.BufferTooSmall)
        {
            ids = output.Rent(checked((int)needed));
            EncodeInto(utf8, count, ids, idOffsets, out _);
        }
        for (var i = 0; i < count; i++)
            output.Set(start + i, ids.AsMemory((int)idOffsets[i], (int)(idOffsets[i + 1] - idOffsets[i])));
    }

    private int EncodeInto(Utf8Batch utf8, int count, int[] ids, long[] idOffsets, out long needed)
    {
        long total;
        int status;
        fixed (byte* pText = utf8.Bytes)
        fixed (long* pOffsets = utf8.Offsets)
        fixed (long* pIdOffsets = idOffsets)
        fixed (int* pIds = ids)
            status = NativeSpm.Check(NativeSpm.EncodeBatch(Raw, pText, pOffsets, count, pIds, ids.Length, pIdOffsets, &total), "encode");
        needed = total;
        return status;
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
