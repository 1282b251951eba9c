namespace PolyGlot.Cli.Tests.Commands;

public sealed class BenchOpsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void BothSidesTimeEveryCase_When_RunOnceAtATinyScale()
    {
        // When bench ops runs one round of a thousandth of its iterations against the PyTorch
        // reference (scripts/reference/torch_bench_ops.py, whose attention and AdamW calls depend
        // on the PyTorch version: this runs on 1.13 and on 2.6 in CI)
        var result = PolyglotProcess.Run(_dir.Path, "bench", "ops", "--rounds", "1", "--scale", "0.001",
            "--python", ReferencePython.Interpreter);

        // Then it exits 0 and every case, the transformer step included, has a Python time
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdOut.Split('\n'), line => line.StartsWith("transformer train step", StringComparison.Ordinal));
        Assert.DoesNotContain("NaN", result.StdOut);
    }
}
