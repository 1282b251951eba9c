using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Parquet.Tests;

/// <summary>Deterministic token-shard-like data: input_ids list&lt;int32&gt;, lang and source strings.</summary>
internal sealed class TokenShardFixture
{
    public static readonly string[] Langs = ["en", "zh", "ar", "hi", "ja", "ru", "es", "fr"];

    public TokenShardFixture(int rows, int seed = 1, int maxLength = 300)
    {
        var random = new Random(seed);
        Offsets = new int[rows + 1];
        var tokens = new List<int>();
        Lang = new string?[rows];
        Source = new string?[rows];
        for (var r = 0; r < rows; r++)
        {
            var length = random.Next(0, maxLength);
            for (var i = 0; i < length; i++) tokens.Add(random.Next(0, 256_000));
            Offsets[r + 1] = tokens.Count;
            Lang[r] = Langs[random.Next(Langs.Length)];
            Source[r] = $"source-{random.Next(5)}";
        }
        Tokens = [.. tokens];
    }

    public static ParquetSchema Schema { get; } = new(
        ParquetColumn.List("input_ids", PhysicalType.Int32),
        ParquetColumn.String("lang"),
        ParquetColumn.String("source"));

    public int[] Tokens { get; }

    public int[] Offsets { get; }

    public string?[] Lang { get; }

    public string?[] Source { get; }

    public int Rows => Lang.Length;

    public void Write(string path, ParquetWriterOptions? options = null, int batchRows = 500)
    {
        using var writer = new ParquetWriter(path, Schema, options);
        foreach (var batch in Batches(batchRows))
            writer.Write(batch);
        writer.Complete();
    }

    /// <summary>The rows in batches of <paramref name="batchRows"/>, one <see cref="ColumnData"/> per column.</summary>
    public IEnumerable<ColumnData[]> Batches(int batchRows)
    {
        for (var start = 0; start < Rows; start += batchRows)
        {
            var end = Math.Min(Rows, start + batchRows);
            var offsets = Offsets[start..(end + 1)].Select(o => o - Offsets[start]).ToArray();
            yield return
            [
                ColumnData.FromInt32Lists(Schema.Columns[0], Tokens[Offsets[start]..Offsets[end]], offsets),
                ColumnData.FromStrings(Schema.Columns[1], Lang[start..end]),
                ColumnData.FromStrings(Schema.Columns[2], Source[start..end]),
            ];
        }
    }
}
