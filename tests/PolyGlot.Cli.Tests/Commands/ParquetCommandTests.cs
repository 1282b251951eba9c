using System.Text.Json;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Cli.Tests.Commands;

public sealed class ParquetCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Three rows: id, text (one null), score.
    private string WriteSample(string name = "sample.parquet")
    {
        var id = ParquetColumn.Int64("id");
        var text = ParquetColumn.String("text", nullable: true);
        var score = ParquetColumn.Double("score");
        var path = _dir.File(name);
        using var writer = new ParquetWriter(path, new ParquetSchema(id, text, score));
        writer.Write(
            ColumnData.FromInt64(id, [7, 8, 9]),
            ColumnData.FromStrings(text, ["Grüß Gott", null, "日本語"]),
            ColumnData.FromDouble(score, [0.5, -1.25, 3.0]));
        writer.Complete();
        return path;
    }

    [Fact]
    public void PrintsFirstRowsAsJsonLines_When_HeadRuns()
    {
        // Given a three-row file
        WriteSample();

        // When the first two rows are asked for
        var result = PolyglotProcess.Run(_dir.Path, "parquet", "head", "sample.parquet", "-n", "2");

        // Then two JSON lines carry the written values
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(7, first.RootElement.GetProperty("id").GetInt64());
        Assert.Equal("Grüß Gott", first.RootElement.GetProperty("text").GetString());
        Assert.Equal(0.5, first.RootElement.GetProperty("score").GetDouble());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("text").ValueKind);
        Assert.Equal(-1.25, second.RootElement.GetProperty("score").GetDouble());
    }

    [Fact]
    public void PrintsOnlyChosenColumns_When_HeadGetsColumns()
    {
        // Given a three-row file
        WriteSample();

        // When only score and id are asked for
        var result = PolyglotProcess.Run(_dir.Path, "parquet", "head", "sample.parquet", "--columns", "score, id");

        // Then every row has exactly those columns, in that order
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("""{"score":3,"id":9}""", lines[2]);
        Assert.All(lines, line => Assert.Equal(["score", "id"], JsonDocument.Parse(line).RootElement.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public void FailsNamingColumn_When_HeadGetsUnknownColumn()
    {
        WriteSample();

        var result = PolyglotProcess.Run(_dir.Path, "parquet", "head", "sample.parquet", "--columns", "nosuch");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nosuch", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public void ListsColumnsAndRowCount_When_SchemaRuns()
    {
        WriteSample();

        var result = PolyglotProcess.Run(_dir.Path, "parquet", "schema", "sample.parquet");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("3 rows, 1 row groups", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains("id", lines[1]);
        Assert.Contains("text", lines[2]);
        Assert.Contains("score", lines[3]);
    }

    [Fact]
    public void ReportsRowGroupsAndBounds_When_StatsRuns()
    {
        WriteSample();

        var result = PolyglotProcess.Run(_dir.Path, "parquet", "stats", "sample.parquet");

        // Then the totals and each chunk's null count and min/max are shown
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("3 rows in 1 row groups", result.StdOut);
        Assert.Contains("row group 0: 3 rows", result.StdOut);
        var idLine = Assert.Single(result.StdOut.Split('\n'), l => l.TrimStart().StartsWith("id:", StringComparison.Ordinal));
        Assert.Contains("min 7 max 9", idLine);
        var scoreLine = Assert.Single(result.StdOut.Split('\n'), l => l.TrimStart().StartsWith("score:", StringComparison.Ordinal));
        Assert.Contains("min -1.25 max 3", scoreLine);
        var textLine = Assert.Single(result.StdOut.Split('\n'), l => l.TrimStart().StartsWith("text:", StringComparison.Ordinal));
        Assert.Contains("nulls 1", textLine);
    }

    [Theory]
    [InlineData("schema")]
    [InlineData("head")]
    [InlineData("stats")]
    public void FailsNamingFileWithoutStackTrace_When_FileIsNotParquet(string subcommand)
    {
        // Given a text file
        _dir.Write("notes.txt", "these are not the bytes of a Parquet file\n");

        // When it is inspected
        var result = PolyglotProcess.Run(_dir.Path, "parquet", subcommand, "notes.txt");

        // Then one error names the file and says it is not valid Parquet
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("notes.txt", result.StdErr);
        Assert.Contains("not valid Parquet", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public void FailsNamingFile_When_FileIsTruncated()
    {
        // Given a real Parquet file cut short (its footer gone)
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(_dir.File("cut.parquet"), bytes[..(bytes.Length / 2)]);

        var result = PolyglotProcess.Run(_dir.Path, "parquet", "head", "cut.parquet");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cut.parquet", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsSayingFileDoesNotExist_When_PathIsMissing()
    {
        var result = PolyglotProcess.Run(_dir.Path, "parquet", "schema", "missing.parquet");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'missing.parquet' does not exist", result.StdErr);
    }

    [Fact]
    public void FailsSayingItIsADirectory_When_PathIsADirectory()
    {
        Directory.CreateDirectory(_dir.File("shards"));

        var result = PolyglotProcess.Run(_dir.Path, "parquet", "stats", "shards");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'shards' is a directory", result.StdErr);
    }

    [Fact]
    public void RefusesNegativeRowCount_When_HeadGetsMinusOne()
    {
        WriteSample();

        var result = PolyglotProcess.Run(_dir.Path, "parquet", "head", "sample.parquet", "--rows", "-1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--rows must be >= 0 (got -1)", result.StdErr);
        Assert.Empty(result.StdOut);
    }
}
