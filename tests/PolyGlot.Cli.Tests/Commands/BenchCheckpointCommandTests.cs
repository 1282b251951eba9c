using System.Text.Json;

namespace PolyGlot.Cli.Tests.Commands;

/// <summary>
/// <c>polyglot bench checkpoint</c> from the outside: a tiny model saved and loaded by one process
/// and by two launched ranks at ZeRO-3, and the options it refuses with one line.
/// </summary>
public sealed class BenchCheckpointCommandTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private readonly TempDirectory _dir = new();

    public BenchCheckpointCommandTests() => DataConfigFixture.WriteTinyRun(_dir, "tiny-checkpoint");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryRankWritesItsPartAndIsTimed_When_TwoRanksSaveAtZeroThree()
    {
        // When a tiny model is saved and loaded by one process and by two ranks at ZeRO-3
        var result = PolyglotProcess.Run(_dir.Path, new Dictionary<string, string>(), Limit,
            "bench", "checkpoint", "--config", "run.yaml", "--nproc-per-node", "2", "--zero", "3", "--repeats", "2", "--json", "figures.json");

        // Then it exits 0 and prints both set-ups with each process's own line
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdOut.Split('\n'), line => line.StartsWith("1 process ", StringComparison.Ordinal));
        Assert.Contains(result.StdOut.Split('\n'), line => line.StartsWith("2 ranks, ZeRO-3 ", StringComparison.Ordinal) && line.Contains("rank 1:"));

        // And in its JSON each rank wrote a part of the sharded checkpoint, the one process all of
        // the tensors, and every save and load has a time
        using var json = JsonDocument.Parse(File.ReadAllText(_dir.File("figures.json")));
        var cases = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, cases.Count);
        var single = cases[0].GetProperty("per_rank")[0];
        var ranks = cases[1].GetProperty("per_rank").EnumerateArray().ToList();
        Assert.Equal(2, ranks.Count);
        Assert.All(ranks, r => Assert.InRange(r.GetProperty("written_bytes").GetInt64(), 1, single.GetProperty("written_bytes").GetInt64() - 1));
        Assert.All(ranks, r => Assert.Equal(2, r.GetProperty("save_seconds").GetArrayLength()));
        Assert.All(cases, c => Assert.True(c.GetProperty("save_seconds").GetDouble() > 0 && c.GetProperty("load_seconds").GetDouble() is > -1 and < 60,
            c.ToString()));
        Assert.Contains("ZeRO-3 over 2 ranks", ranks[0].GetProperty("strategy").GetString());
    }

    [Theory]
    [InlineData("--zero", "5")]
    [InlineData("--nproc-per-node", "0")]
    [InlineData("--nproc-per-node", "two")]
    [InlineData("--repeats", "0")]
    public void FailsWithOneLine_When_AnOptionIsOutOfRange(string option, string value)
    {
        // When an option has a value the benchmark cannot use
        var result = PolyglotProcess.Run(_dir.Path, "bench", "checkpoint", "--config", "run.yaml", option, value);

        // Then it exits 1 with one error line that names the option, and no stack trace
        Assert.Equal(1, result.ExitCode);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains($"bench checkpoint failed: {option}", lines[0]);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsWithOneLine_When_TheConfigDoesNotExist()
    {
        // When the config names no file
        var result = PolyglotProcess.Run(_dir.Path, "bench", "checkpoint", "--config", "missing.yaml");

        // Then the error, as every command reports a configuration's problems, names the file
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bench checkpoint failed", result.StdErr.Split('\n')[0]);
        Assert.Contains("missing.yaml", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }
}
