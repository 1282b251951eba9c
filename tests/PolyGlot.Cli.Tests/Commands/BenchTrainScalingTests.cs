using System.Globalization;
using System.Text.RegularExpressions;

namespace PolyGlot.Cli.Tests.Commands;

/// <summary>
/// <c>polyglot bench train --nproc-per-node N --zero ...</c> from the outside: a tiny model trained
/// by one process and by two ranks at ZeRO 0 and 3 in one command, and the options it refuses.
/// </summary>
public sealed partial class BenchTrainScalingTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private readonly TempDirectory _dir = new();

    public BenchTrainScalingTests() => DataConfigFixture.WriteTinyRun(_dir, "tiny-stages");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ZeroThreeHoldsLessThanZeroZero_When_StagesAreComparedInOneCommand()
    {
        // When two ranks train the tiny model at ZeRO 3 (stage 0 is added as the reference)
        var result = PolyglotProcess.Run(_dir.Path, new Dictionary<string, string>(), Limit,
            "bench", "train", "--config", "run.yaml", "--nproc-per-node", "2", "--zero", "3", "--steps", "2", "--warmup", "1");

        // Then it exits 0 with a row per stage, and each ZeRO-3 rank held less than a ZeRO-0 rank
        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.StdOut.Split('\n').Where(l => l.StartsWith("2 ranks, ZeRO-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["2 ranks, ZeRO-0", "2 ranks, ZeRO-3"], rows.Select(r => r[..15]));
        var held = HeldRatio().Match(rows[1]);
        Assert.True(held.Success, rows[1]);
        Assert.InRange(double.Parse(held.Groups[1].Value, CultureInfo.InvariantCulture), 0.05, 0.95);
        Assert.Contains("1 process", result.StdOut);
    }

    [Theory]
    [InlineData("--zero", "0,1")]
    [InlineData("--nproc-per-node", "2", "--zero", "4")]
    public void FailsWithOneLine_When_TheStagesCannotBeCompared(params string[] options)
    {
        // When --zero comes without ranks, or names a stage that does not exist
        var result = PolyglotProcess.Run(_dir.Path, ["bench", "train", "--config", "run.yaml", .. options]);

        // Then one error line says what to give, and no stack trace
        Assert.Equal(1, result.ExitCode);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("bench train failed: --zero", lines[0]);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    // The held column of a stage row: "a / b (ratio)".
    [GeneratedRegex(@"\d+\.\d / \d+\.\d \((\d+\.\d+)\)")]
    private static partial Regex HeldRatio();
}
