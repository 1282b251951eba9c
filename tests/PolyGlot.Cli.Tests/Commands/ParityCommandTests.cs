using System.Text.Json;

namespace PolyGlot.Cli.Tests.Commands;

public sealed class ParityCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryLayoutMatchesPyTorch_When_CheckedOnTheCpuInBothPrecisions()
    {
        // When both layouts are compared with the PyTorch reference on the CPU, float32 and bf16
        var json = _dir.File("parity.json");
        var result = PolyglotProcess.Run(_dir.Path, "parity", "--device", "cpu", "--python", ReferencePython.Interpreter, "--json", json);

        // Then every comparison passes its limit, and float32 agrees to rounding
        Assert.True(result.ExitCode == 0, result.ToString());
        using var figures = JsonDocument.Parse(File.ReadAllText(json));
        var rows = figures.RootElement.EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("passed").GetBoolean(), r.ToString()));
        Assert.All(rows.Where(r => r.GetProperty("precision").GetString() == "fp32"),
            r => Assert.True(r.GetProperty("worst_grad_error").GetDouble() < 1e-5, r.ToString()));
        Assert.Contains("parity llama-gqa      bf16 on cpu", result.StdOut);
    }

    [Fact]
    public void TheErrorNamesTheChoices_When_APrecisionIsUnknown()
    {
        var result = PolyglotProcess.Run(_dir.Path, "parity", "--device", "cpu", "--precision", "fp16");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--precision fp16: use fp32 and/or bf16", result.StdErr + result.StdOut);
    }
}
