using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Parquet.Tests.Reading;

/// <summary>
/// Damaged files (bit flips, overwritten words, truncations) give a <see cref="ParquetException"/>
/// and nothing else: no other exception type, no hang, no huge allocation.
/// </summary>
public class ParquetReaderFuzzTests
{
    private const int MutationsPerFile = 2500;

    public static TheoryData<string> Layouts => ["v1-zstd-dictionary", "v2-snappy-delta", "v1-gzip-plain", "duckdb-v1", "duckdb-v2"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task OnlyParquetExceptions_When_ValidFileIsDamaged(string layout)
    {
        // Given a valid file with every type
        using var dir = new TempDirectory();
        var original = dir.File("original.parquet");
        if (layout.StartsWith("duckdb", StringComparison.Ordinal)) WriteWithDuckDb(original, layout[^2..].ToUpperInvariant());
        else new AllTypesFixture(rows: 120).Write(original, Options(layout));
        var bytes = File.ReadAllBytes(original);
        var damaged = dir.File("damaged.parquet");
        var random = new Random(layout.Sum(c => c));
        var unexpected = new List<string>();
        var rejected = 0;

        // When it is damaged thousands of times and read completely each time
        var run = Task.Run(() =>
        {
            for (var i = 0; i < MutationsPerFile; i++)
            {
                File.WriteAllBytes(damaged, Mutate(bytes, random));
                try
                {
                    ReadEverything(damaged);
                }
                catch (ParquetException)
                {
                    rejected++;
                }
                catch (Exception e)
                {
                    unexpected.Add($"mutation {i}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
            }
        });

        // Then every failure is a ParquetException and the whole run ends in time
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(120))) == run, "reading damaged files hung");
        await run;
        Assert.Empty(unexpected.Take(3));
        Assert.True(rejected > MutationsPerFile / 4, $"only {rejected} of {MutationsPerFile} damaged files were rejected");
    }

    [Fact]
    public void MessageNamesFileRowGroupAndColumn_When_PageIsCorrupt()
    {
        // Given a file whose first data page body is overwritten
        using var dir = new TempDirectory();
        var path = dir.File("corrupt.parquet");
        new TokenShardFixture(rows: 50).Write(path, new ParquetWriterOptions { Codec = CompressionCodec.Zstd });
        long offset;
        using (var reader = ParquetReader.Open(path)) offset = reader.Metadata.RowGroups[0].Columns[0].MetaData!.DataPageOffset;
        var bytes = File.ReadAllBytes(path);
        for (var i = 30; i < 60; i++) bytes[offset + i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        // When the column is read
        using var damaged = ParquetReader.Open(path);
        var error = Assert.Throws<ParquetFormatException>(() => damaged.ReadColumn(0, "input_ids"));

        // Then the message says where
        Assert.Equal(path, error.File);
        Assert.Equal(0, error.RowGroup);
        Assert.Equal("input_ids.list.element", error.Column);
        Assert.Contains("corrupt.parquet", error.Message);
    }

    // DuckDB's own layouts: PLAIN_DICTIONARY pages (V1), DELTA_LENGTH_BYTE_ARRAY and BYTE_STREAM_SPLIT (V2).
    private static void WriteWithDuckDb(string path, string version) => Interop.DuckDb.Query(
        $"COPY (SELECT i::INT AS i, (i / 3.0)::DOUBLE AS d, i % 3 = 0 AS b, CASE WHEN i % 4 = 0 THEN NULL ELSE 'v' || (i % 5) END AS s, md5(i::VARCHAR) AS h, " +
        $"CASE WHEN i % 7 = 0 THEN NULL ELSE [i, NULL, i * 2] END AS l FROM range(150) t(i)) TO {Interop.DuckDb.Literal(path)} (FORMAT PARQUET, PARQUET_VERSION {version})",
        "SELECT 1");

    private static ParquetWriterOptions Options(string layout) => layout switch
    {
        "v1-zstd-dictionary" => new ParquetWriterOptions { Codec = CompressionCodec.Zstd, PageTargetBytes = 512 },
        "v2-snappy-delta" => new ParquetWriterOptions
        {
            Codec = CompressionCodec.Snappy, DataPageV2 = true, DeltaIntegers = true, DeltaByteArrays = true,
            ByteStreamSplitFloats = true, DictionaryForBinary = false, PageTargetBytes = 512,
        },
        _ => new ParquetWriterOptions { Codec = CompressionCodec.Gzip, DictionaryForBinary = false },
    };

    // Half of the damage lands in the footer, where one byte changes the meaning of everything after it.
    private static byte[] Mutate(byte[] original, Random random)
    {
        var kind = random.Next(4);
        if (kind == 0) return original.AsSpan(0, random.Next(original.Length)).ToArray();
        var bytes = (byte[])original.Clone();
        var footerStart = Math.Max(0, bytes.Length - 8 - BitConverter.ToInt32(bytes, bytes.Length - 8));
        int Position() => random.Next(2) == 0 ? random.Next(footerStart, bytes.Length) : random.Next(bytes.Length);
        switch (kind)
        {
            case 1:
                for (var i = random.Next(1, 4); i > 0; i--) bytes[Position()] ^= (byte)(1 << random.Next(8));
                break;
            case 2:
                var at = Math.Min(Position(), bytes.Length - 4);
                int[] extremes = [0, -1, int.MaxValue, int.MinValue, 0x7F7F7F7F, random.Next()];
                BitConverter.TryWriteBytes(bytes.AsSpan(at), extremes[random.Next(extremes.Length)]);
                break;
            default:
                bytes[Position()] = (byte)random.Next(256);
                break;
        }
        return bytes;
    }

    private static void ReadEverything(string path)
    {
        using var reader = ParquetReader.Open(path);
        for (var g = 0; g < reader.RowGroupCount; g++)
            foreach (var column in reader.Schema.Columns.Select(c => c.Name).Distinct())
                reader.ReadColumn(g, column);
    }
}
