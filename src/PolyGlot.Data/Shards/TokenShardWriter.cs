using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Data.Shards;

/// <summary>
/// Writes one token shard (docs/data-preparation.md, "token shards"): <c>input_ids: list&lt;int32&gt;</c>, <c>lang</c>, <c>source</c>,
/// ZSTD. The file appears under its name only once complete (temporary file, flush, rename).
/// </summary>
public static class TokenShardWriter
{
    /// <summary>Name of the token list column (the Hugging Face convention).</summary>
    public const string InputIdsColumn = "input_ids";

    /// <summary>Name of the language column.</summary>
    public const string LangColumn = "lang";

    /// <summary>Name of the source column.</summary>
    public const string SourceColumn = "source";

    /// <summary>The shard schema.</summary>
    public static ParquetSchema Schema { get; } = new(
        ParquetColumn.List(InputIdsColumn, PhysicalType.Int32),
        ParquetColumn.String(LangColumn),
        ParquetColumn.String(SourceColumn));

    private static readonly ParquetWriterOptions Options = new() { Codec = CompressionCodec.Zstd };

    /// <summary>
    /// Writes the documents <c>tokens[offsets[r] .. offsets[r+1]]</c>, r = 0 .. languages.Count - 1,
    /// with their languages and the source name, to <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, int[] tokens, int[] offsets, IReadOnlyList<string> languages, string source)
    {
        if (offsets.Length != languages.Count + 1)
            throw new ArgumentException($"{offsets.Length} offsets for {languages.Count} documents; expected one more offset than documents", nameof(offsets));
        using var writer = new ParquetWriter(path, Schema, Options);
        var columns = writer.Schema.Columns;
        writer.Write(
            ColumnData.FromInt32Lists(columns[0], tokens, offsets),
            ColumnData.FromStrings(columns[1], languages),
            ColumnData.FromStrings(columns[2], Enumerable.Repeat(source, languages.Count).ToList()));
        writer.Complete();
    }
}
