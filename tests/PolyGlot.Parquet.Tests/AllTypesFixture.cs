using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Parquet.Tests;

/// <summary>
/// Every writable type, required and optional, with null patterns, empty and long strings, Unicode
/// (CJK, Arabic, Devanagari, emoji), empty and null lists and null elements.
/// </summary>
internal sealed class AllTypesFixture
{
    private static readonly string[] Texts = ["", "hello", "中文文本", "مرحبا بالعالم", "नमस्ते दुनिया", "emoji 😀🎉", "日本語のテキスト", new string('x', 5000)];

    public AllTypesFixture(int rows, int seed = 7)
    {
        var random = new Random(seed);
        bool[] Nulls(int every) => Enumerable.Range(0, rows).Select(i => i % every == every - 1).ToArray();
        Schema = new ParquetSchema(
            ParquetColumn.Int32("i32"),
            ParquetColumn.Int32("i32n", nullable: true),
            ParquetColumn.Int64("i64n", nullable: true),
            ParquetColumn.Float("f", nullable: true),
            ParquetColumn.Double("d"),
            ParquetColumn.Boolean("b", nullable: true),
            ParquetColumn.String("s", nullable: true),
            ParquetColumn.String("s_low_card"),
            ParquetColumn.Binary("bin", nullable: true),
            ParquetColumn.FixedBinary("fixed", 4),
            ParquetColumn.List("l32", PhysicalType.Int32),
            ParquetColumn.List("l64", PhysicalType.Int64, nullable: false, elementNullable: false),
            ParquetColumn.StringList("lstr"));
        var c = Schema.Columns;
        Columns =
        [
            ColumnData.FromInt32(c[0], Enumerable.Range(0, rows).Select(i => i * 7919 - 1_000_000).ToArray()),
            ColumnData.FromInt32(c[1], Enumerable.Range(0, rows).Select(i => int.MaxValue - i).ToArray(), Nulls(3)),
            ColumnData.FromInt64(c[2], Enumerable.Range(0, rows).Select(i => long.MinValue + i * 3_000_000_007L).ToArray(), Nulls(4)),
            ColumnData.FromFloat(c[3], Enumerable.Range(0, rows).Select(i => i / 3f - 100).ToArray(), Nulls(5)),
            ColumnData.FromDouble(c[4], Enumerable.Range(0, rows).Select(i => Math.Sqrt(i) * (i % 2 == 0 ? 1 : -1)).ToArray()),
            ColumnData.FromBoolean(c[5], Enumerable.Range(0, rows).Select(i => i % 3 == 0).ToArray(), Nulls(7)),
            ColumnData.FromStrings(c[6], Enumerable.Range(0, rows).Select(i => i % 6 == 5 ? null : Texts[i % Texts.Length] + i).ToArray()),
            ColumnData.FromStrings(c[7], Enumerable.Range(0, rows).Select(i => Texts[i % 3 + 2]).ToArray()),
            ColumnData.FromBinary(c[8], Enumerable.Range(0, rows).Select(i => i % 5 == 1 ? null : Enumerable.Range(0, i % 9).Select(b => (byte)(b * i)).ToArray()).ToArray()),
            ColumnData.FromBinary(c[9], Enumerable.Range(0, rows).Select(i => BitConverter.GetBytes(i * 31)).ToArray()),
            ListWithNullElements(c[10], rows, random),
            ColumnData.FromLists(c[11], Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, i % 4).Select(x => (long)x * i * 1_000_000_000L).ToArray()).ToArray()),
            ColumnData.FromLists(c[12], Enumerable.Range(0, rows).Select(i => i % 10 == 0 ? null : Enumerable.Range(0, i % 3).Select(x => Texts[(i + x) % Texts.Length]).ToArray()).ToArray()),
        ];
    }

    public ParquetSchema Schema { get; }

    public ColumnData[] Columns { get; }

    public int Rows => Columns[0].RowCount;

    public void Write(string path, ParquetWriterOptions? options = null)
    {
        using var writer = new ParquetWriter(path, Schema, options);
        writer.Write(Columns);
        writer.Complete();
    }

    // Null lists, empty lists and null elements in one column.
    private static ColumnData ListWithNullElements(ParquetColumn column, int rows, Random random)
    {
        var values = new List<int>();
        var elementNulls = new List<bool>();
        var offsets = new int[rows + 1];
        var listNulls = new bool[rows];
        for (var r = 0; r < rows; r++)
        {
            listNulls[r] = r % 8 == 3;
            var length = listNulls[r] || r % 8 == 4 ? 0 : random.Next(1, 20);
            for (var i = 0; i < length; i++)
            {
                values.Add(random.Next());
                elementNulls.Add(i % 5 == 2);
            }
            offsets[r + 1] = values.Count;
        }
        return ColumnData.FromInt32Lists(column, [.. values], offsets, listNulls, [.. elementNulls]);
    }
}
