using PolyGlot.Data.Loading;
using PolyGlot.Data.Shards;
using PolyGlot.Parquet.Tests.Interop;

namespace PolyGlot.Data.Tests.Shards;

public sealed class TokenShardWriterLossMaskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-mask-shard-").FullName;

    // Three documents (3, 2 and 4 tokens) and their masks.
    private static readonly int[] Tokens = [10, 11, 12, 20, 21, 30, 31, 32, 33];
    private static readonly int[] Offsets = [0, 3, 5, 9];
    private static readonly int[] Mask = [0, 1, 1, 0, 1, 0, 0, 1, 1];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DuckDbReadsTheMaskBesideTheTokens_When_AShardIsWrittenWithALossMask()
    {
        // Given a shard written with a loss mask, in row groups of about 4 tokens
        var path = Path.Combine(_dir, "masked.parquet");
        TokenShardWriter.Write(path, Tokens, Offsets, ["en", "de", "en"], "sft", rowGroupTokens: 4, lossMask: Mask);

        // When DuckDB reads it
        var rows = DuckDb.Query(
            $"SELECT input_ids, loss_mask, num_tokens FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true) ORDER BY file_row_number");

        // Then every document's mask has one entry per token, as written
        Assert.Equal(3, rows.Length);
        for (var d = 0; d < 3; d++)
        {
            Assert.Equal(Tokens[Offsets[d]..Offsets[d + 1]], rows[d].GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(Mask[Offsets[d]..Offsets[d + 1]], rows[d].GetProperty("loss_mask").EnumerateArray().Select(e => e.GetInt32()));
        }
    }

    [Fact]
    public void TheLoaderStillReadsTheTokens_When_AShardHasALossMask()
    {
        // Given a shard written with a loss mask
        var path = Path.Combine(_dir, "masked.parquet");
        TokenShardWriter.Write(path, Tokens, Offsets, ["en", "de", "en"], "sft", rowGroupTokens: 4, lossMask: Mask);

        // When the loader's reader reads it
        using var documents = new ParquetShardReader().Read(path);

        // Then the documents are the ones written
        Assert.Equal(Offsets, documents.Offsets);
        Assert.Equal(Tokens[5..9], documents.Document(2).ToArray());
    }

    [Fact]
    public void ShardHasNoMaskColumn_When_WrittenWithoutALossMask()
    {
        // Given a pretraining shard
        var path = Path.Combine(_dir, "plain.parquet");
        TokenShardWriter.Write(path, Tokens, Offsets, ["en", "de", "en"], "mono");

        // When DuckDB lists its columns
        var columns = DuckDb.Query($"SELECT name FROM parquet_schema({DuckDb.Literal(path)})").Select(r => r.GetProperty("name").GetString());

        // Then it has no loss_mask column
        Assert.DoesNotContain(TokenShardWriter.LossMaskColumn, columns);
        Assert.Contains(TokenShardWriter.InputIdsColumn, columns);
    }
}
