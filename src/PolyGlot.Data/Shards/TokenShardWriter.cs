using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Data.Shards;

/// <summary>
/// Writes one token shard (docs/data-preparation.md, "token shards"): <c>input_ids: list&lt;int32&gt;</c>, <c>lang</c>, <c>source</c>,
/// <c>num_tokens</c>, and for instruction data <c>loss_mask: list&lt;int32&gt;</c> (docs/instruction-tuning.md), ZSTD, in row groups of about <see cref="RowGroupTokens"/> tokens. The file appears under its name only once
/// complete (temporary file, flush, rename).
/// </summary>
public static class TokenShardWriter
{
    /// <summary>Name of the token list column (the Hugging Face convention).</summary>
    public const string InputIdsColumn = "input_ids";

    /// <summary>Name of the language column.</summary>
    public const string LangColumn = "lang";

    /// <summary>Name of the source column.</summary>
    public const string SourceColumn = "source";

    /// <summary>
    /// Name of the column holding each document's token count: the loader learns every document's
    /// length from it without decoding <c>input_ids</c>.
    /// </summary>
    public const string NumTokensColumn = "num_tokens";

    /// <summary>
    /// Name of the column holding, per token of <c>input_ids</c>, 1 when it is trained as a target
    /// and 0 when it is context only (instruction data); absent from pretraining shards.
    /// </summary>
    public const string LossMaskColumn = "loss_mask";

    /// <summary>
    /// Tokens per row group (whole documents; a longer document is a row group of its own). A
    /// data-parallel rank decodes only the row groups that hold documents of its own rows, so small
    /// groups save decoding on many ranks; 16K tokens compress within a few percent of one large group.
    /// </summary>
    public const int RowGroupTokens = 16_384;

    /// <summary>The shard schema.</summary>
    public static ParquetSchema Schema { get; } = new(
        ParquetColumn.List(InputIdsColumn, PhysicalType.Int32),
        ParquetColumn.String(LangColumn),
        ParquetColumn.String(SourceColumn),
        ParquetColumn.Int32(NumTokensColumn));

    /// <summary>The schema of a shard with a <see cref="LossMaskColumn"/>: <see cref="Schema"/> and the mask.</summary>
    public static ParquetSchema MaskedSchema { get; } = new(
        ParquetColumn.List(InputIdsColumn, PhysicalType.Int32),
        ParquetColumn.String(LangColumn),
        ParquetColumn.String(SourceColumn),
        ParquetColumn.Int32(NumTokensColumn),
        ParquetColumn.List(LossMaskColumn, PhysicalType.Int32));

    private static readonly ParquetWriterOptions Options = new() { Codec = CompressionCodec.Zstd };

    /// <summary>
    /// Writes the documents <c>tokens[offsets[r] .. offsets[r+1]]</c>, r = 0 .. languages.Count - 1,
    /// with their languages and the source name, to <paramref name="path"/>. Up to <paramref name="maxDegreeOfParallelism"/>
    /// row groups are encoded and compressed at once; the file's bytes do not depend on it. With
    /// <paramref name="lossMask"/> (one 0/1 entry per token) the shard gains a <see cref="LossMaskColumn"/>.
    /// </summary>
    public static void Write(string path, int[] tokens, int[] offsets, IReadOnlyList<string> languages, string source,
        int rowGroupTokens = RowGroupTokens, int maxDegreeOfParallelism = 1, int[]? lossMask = null)
    {
        if (offsets.Length != languages.Count + 1)
            throw new ArgumentException($"{offsets.Length} offsets for {languages.Count} documents; expected one more offset than documents", nameof(offsets));
        if (lossMask is not null && lossMask.Length < offsets[^1])
            throw new ArgumentException($"a loss mask of {lossMask.Length} entries for {offsets[^1]} tokens; one entry per token is needed", nameof(lossMask));
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupTokens, 1);
        using var writer = new ParquetWriter(path, lossMask is null ? Schema : MaskedSchema, Options);
        var columns = writer.Schema.Columns;
        var firsts = GroupStarts(offsets, languages.Count, rowGroupTokens);
        writer.WriteRowGroups(firsts.Count - 1, g =>
        {
            var group = RowGroup(columns, tokens, offsets, languages, source, firsts[g], firsts[g + 1]);
            // The mask's lists have the offsets of the token lists.
            return lossMask is null
                ? group
                : [.. group, ColumnData.FromInt32Lists(columns[4], lossMask[offsets[firsts[g]]..offsets[firsts[g + 1]]], group[0].Offsets!)];
        }, maxDegreeOfParallelism);
        writer.Complete();
    }

    // The first document of each row group, then the document count: whole documents, about rowGroupTokens tokens per
    // group (a longer document alone). An empty shard still gets one (empty) row group, as Parquet readers expect a
    // column chunk.
    private static List<int> GroupStarts(int[] offsets, int documents, int rowGroupTokens)
    {
        if (documents == 0)
            return [0, 0];
        var starts = new List<int> { 0 };
        var first = 0;
        while (first < documents)
        {
            var end = first + 1;
            while (end < documents && offsets[end + 1] - offsets[first] <= rowGroupTokens)
                end++;
            starts.Add(end);
            first = end;
        }
        return starts;
    }

    // The columns of documents first .. end - 1 (built on the thread that encodes them).
    private static ColumnData[] RowGroup(IReadOnlyList<ParquetColumn> columns, int[] tokens, int[] offsets,
        IReadOnlyList<string> languages, string source, int first, int end)
    {
        var start = offsets[first];
        var groupOffsets = new int[end - first + 1];
        var lengths = new int[end - first];
        var groupLanguages = new string[end - first];
        for (var d = first; d < end; d++)
        {
            groupOffsets[d - first + 1] = offsets[d + 1] - start;
            lengths[d - first] = offsets[d + 1] - offsets[d];
            groupLanguages[d - first] = languages[d];
        }
        return
        [
            ColumnData.FromInt32Lists(columns[0], tokens[start..offsets[end]], groupOffsets),
            ColumnData.FromStrings(columns[1], groupLanguages),
            ColumnData.FromStrings(columns[2], Enumerable.Repeat(source, end - first).ToList()),
            ColumnData.FromInt32(columns[3], lengths),
        ];
    }
}
