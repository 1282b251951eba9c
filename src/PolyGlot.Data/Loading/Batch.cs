namespace PolyGlot.Data.Loading;

/// <summary>
/// One rank's slice of a global training batch: <see cref="Rows"/> packed sequences of
/// <c>seq_len + 1</c> tokens, row-major, with the language of every token (for loss per language)
/// and, when enabled, position and segment ids that restart at document boundaries. Dispose it
/// when its contents have been copied, so the loader can reuse its arrays.
/// </summary>
public sealed class Batch : IDisposable
{
    private Action<Batch>? _release;

    internal Batch(int rows, int rowLength, int languages, bool documentBoundaries, int sources, bool lossMask = false)
    {
        GlobalRowsPerSource = new int[sources];
        Rows = rows;
        RowLength = rowLength;
        Tokens = new int[rows * rowLength];
        LanguageIds = new int[rows * rowLength];
        PositionIds = documentBoundaries ? new int[rows * rowLength] : null;
        SegmentIds = documentBoundaries ? new int[rows * rowLength] : null;
        LossMask = lossMask ? new byte[rows * rowLength] : null;
        SourceIds = new int[rows];
        TokensPerLanguage = new long[languages];
        StateAfter = new DataState();
    }

    /// <summary>The global step this batch belongs to.</summary>
    public long Step { get; internal set; }

    /// <summary>Sequences in this rank's slice (<c>global_batch_size / world_size</c>).</summary>
    public int Rows { get; }

    /// <summary>Tokens per row: <c>seq_len + 1</c>; inputs are the first <c>seq_len</c>, targets the last <c>seq_len</c>.</summary>
    public int RowLength { get; }

    /// <summary>Token ids, <c>Rows x RowLength</c>, row-major.</summary>
    public int[] Tokens { get; }

    /// <summary>Language id of every token (an index into <see cref="Languages"/>).</summary>
    public int[] LanguageIds { get; }

    /// <summary>Position of every token within its document (restarting at each document and row), or null when not enabled.</summary>
    public int[]? PositionIds { get; }

    /// <summary>Index of every token's document within its row, or null when not enabled.</summary>
    public int[]? SegmentIds { get; }

    /// <summary>
    /// Per token, 1 when the token is trained as a target (an assistant token or the end-of-turn
    /// that closes it, docs/instruction-tuning.md) and 0 when it is context only; null when every
    /// target is trained (pretraining shards carry no <c>loss_mask</c>).
    /// </summary>
    public byte[]? LossMask { get; }

    /// <summary>Index of the source (configuration order) each row was packed from.</summary>
    public int[] SourceIds { get; }

    /// <summary>
    /// Rows of the whole global batch (every rank's slice) drawn from each source, in configuration
    /// order: every rank walks the global batch, so it knows this without asking the others.
    /// </summary>
    public int[] GlobalRowsPerSource { get; }

    /// <summary>Tokens in this slice per language id.</summary>
    public long[] TokensPerLanguage { get; }

    /// <summary>The language codes that language ids index.</summary>
    public IReadOnlyList<string> Languages { get; internal set; } = [];

    /// <summary>The data state after this batch: save it with the checkpoint of this step.</summary>
    public DataState StateAfter { get; internal set; }

    /// <summary>The <c>seq_len + 1</c> tokens of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> Row(int row) => Tokens.AsSpan(row * RowLength, RowLength);

    /// <summary>The input tokens of row <paramref name="row"/> (its first <c>seq_len</c>).</summary>
    public ReadOnlySpan<int> Inputs(int row) => Row(row)[..^1];

    /// <summary>The target tokens of row <paramref name="row"/> (its last <c>seq_len</c>).</summary>
    public ReadOnlySpan<int> Targets(int row) => Row(row)[1..];

    /// <summary>Hands the arrays back to the loader for reuse; the batch must not be read afterwards.</summary>
    public void Dispose()
    {
        var release = Interlocked.Exchange(ref _release, null);
        release?.Invoke(this);
    }

    /// <summary>
    /// A batch of the given <paramref name="tokens"/> (<paramref name="rows"/> x
    /// <paramref name="rowLength"/>, row-major) in one language and one source, without document
    /// boundaries: what a benchmark or a program that brings its own tokens trains on.
    /// </summary>
    /// <exception cref="ArgumentException">The token count is not rows x rowLength.</exception>
    public static Batch OfTokens(int[] tokens, int rows, int rowLength, string language) => OfTokens(tokens, rows, rowLength, language, lossMask: null);

    /// <summary>
    /// As <see cref="OfTokens(int[], int, int, string)"/>, with a <paramref name="lossMask"/> of one
    /// entry per token (1: trained as a target, 0: context only), or null to train every target.
    /// </summary>
    /// <exception cref="ArgumentException">The token count is not rows x rowLength, or the mask's length is not the token count.</exception>
    public static Batch OfTokens(int[] tokens, int rows, int rowLength, string language, byte[]? lossMask)
    {
        if (rows < 1 || rowLength < 2 || tokens.Length != (long)rows * rowLength)
            throw new ArgumentException($"{tokens.Length} tokens do not fill {rows} rows of {rowLength} (rows >= 1, row length >= 2).", nameof(tokens));
        if (lossMask is not null && lossMask.Length != tokens.Length)
            throw new ArgumentException($"a loss mask of {lossMask.Length} entries for {tokens.Length} tokens; one entry per token is needed.", nameof(lossMask));
        var batch = new Batch(rows, rowLength, languages: 1, documentBoundaries: false, sources: 1, lossMask is not null) { Languages = [language] };
        tokens.CopyTo(batch.Tokens, 0);
        lossMask?.CopyTo(batch.LossMask!, 0);
        batch.TokensPerLanguage[0] = tokens.Length;
        batch.GlobalRowsPerSource[0] = rows;
        return batch;
    }

    internal void OnDispose(Action<Batch>? release) => _release = release;
}
