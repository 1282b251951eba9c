namespace PolyGlot.Cli.Tests.Commands;

public sealed class DoctorCommandTests : IDisposable
{
    // No device is visible to the child even on a GPU machine, so these tests mean the same everywhere.
    private static readonly Dictionary<string, string> NoCuda = new() { ["CUDA_VISIBLE_DEVICES"] = "" };

    private const string RunConfig = MinimalRunConfig.Yaml;

    private static string WithDeviceAndPrecision(string device, string precision) =>
        RunConfig.Replace("device: cpu", $"device: {device}") + $"precision: {{compute: {precision}}}\n";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Config(string device, string precision) =>
        _dir.Write("run.yaml", WithDeviceAndPrecision(device, precision));

    [Fact]
    public void PassesCpuSelfTest_When_RunWithoutConfig()
    {
        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("libtorch ", result.StdOut);
        Assert.Contains("libpolyglot_torch", result.StdOut);
        Assert.Contains("CUDA                not available", result.StdOut);
        Assert.Matches(@"self-test +cpu fp32 polylm: max relative error [0-9.]+e-[0-9]+ \(.+\) vs float64 on cpu, limit 1e-04: pass", result.StdOut);
        Assert.Matches(@"self-test +cpu fp32 llama: .*: pass", result.StdOut);
        Assert.Contains("doctor: ok", result.StdOut);
    }

    [Fact]
    public void FailsSayingWhy_When_ConfigNeedsCuda()
    {
        // Given a run config for CUDA in bf16, on a machine where no CUDA device is visible
        var config = Config("cuda", "bf16");

        // When the doctor checks it
        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor", "--config", config);

        // Then it fails and says which key needs what
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("training.device = cuda, but no CUDA device is available", result.StdOut);
        Assert.Contains("precision.compute = bf16 needs a CUDA device", result.StdOut);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void Passes_When_ConfigNeedsOnlyTheCpu()
    {
        var config = Config("cpu", "fp32");

        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("can run here", result.StdOut);
    }

    [Fact]
    public void FailsWithOneLine_When_ConfigIsInvalid()
    {
        var config = _dir.Write("run.yaml", WithDeviceAndPrecision("tpu", "fp32"));

        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor", "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("training.device = 'tpu'", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.DoesNotContain("self-test", result.StdOut);
    }

    [Fact]
    public void FailsNamingTheFolder_When_NativeDirHasNoShim()
    {
        // Given POLYGLOT_NATIVE_DIR naming a folder without libpolyglot_torch.so
        var environment = new Dictionary<string, string>(NoCuda) { ["POLYGLOT_NATIVE_DIR"] = _dir.Path };

        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, environment, "doctor");

        // Then the doctor says it cannot load the shim from there, without a stack trace
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot be loaded: Cannot load libpolyglot_torch.so from POLYGLOT_NATIVE_DIR={_dir.Path}", result.StdOut);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }
}
