using System.Text.Json;
using System.Text.RegularExpressions;
using PolyGlot.Training.Planning;

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

    [Fact]
    public void SaysItDoesNotFitAndSuggestsAChangeThatFits_When_Polylm13bRunsOnOne80GbDevice()
    {
        // Given PolyLM 13B planned for one rank of 80 GB
        var json = Path.Combine(_dir.Path, "plan.json");
        var result = Doctor(RepositoryPaths.Combine("configs", "polylm-13b.yaml"), "1", json);

        // Then the plan says it does not fit and names a change, and the JSON says the same
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("80.0 GB (--device-memory), 72.0 GB after 10% headroom: does not fit", result.StdOut);
        Assert.Contains("polylm-13b.yaml does not fit on 1 rank", result.StdOut);
        using var plan = JsonDocument.Parse(File.ReadAllText(json));
        Assert.False(plan.RootElement.GetProperty("fits").GetBoolean());
        var suggestion = plan.RootElement.GetProperty("suggestion");
        Assert.Contains($"smallest change   {suggestion.GetProperty("change").GetString()}: peak", result.StdOut);

        // When the config is changed as suggested and planned again on the suggested ranks
        var settings = suggestion.GetProperty("plan").GetProperty("settings");
        var changed = _dir.Write("changed.yaml", WithSettings(File.ReadAllText(RepositoryPaths.Combine("configs", "polylm-13b.yaml")), settings));
        var again = Doctor(changed, settings.GetProperty("world_size").GetInt32().ToString(), Path.Combine(_dir.Path, "again.json"));

        // Then it fits, with the peak the suggestion promised
        Assert.Contains("after 10% headroom: fits", again.StdOut);
        Assert.DoesNotContain("does not fit", again.StdOut);
        using var replanned = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, "again.json")));
        Assert.Equal(suggestion.GetProperty("plan").GetProperty("total_bytes").GetInt64(), replanned.RootElement.GetProperty("total_bytes").GetInt64());
    }

    [Fact]
    public void WritesTheFiguresItPrints_When_AskedForJson()
    {
        // Given a CPU config planned for 2 ranks, with its plan written as JSON
        var json = Path.Combine(_dir.Path, "plan.json");
        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor", "--config", Config("cpu", "fp32"), "--world-size", "2",
            "--device-memory", "16GB", "--json", json);

        // Then every item, the peak and the verdict in the file are those printed
        Assert.True(result.ExitCode == 0, result.ToString());
        using var plan = JsonDocument.Parse(File.ReadAllText(json));
        var root = plan.RootElement;
        Assert.Equal(2, root.GetProperty("settings").GetProperty("world_size").GetInt32());
        foreach (var item in root.GetProperty("items").EnumerateArray())
            Assert.Matches($@"\n  {Regex.Escape(item.GetProperty("name").GetString()!)} +{Regex.Escape(ByteSize.Format(item.GetProperty("bytes").GetInt64()))}  " +
                           Regex.Escape(item.GetProperty("arithmetic").GetString()!), result.StdOut);
        Assert.Contains($"peak per rank     {ByteSize.Format(root.GetProperty("total_bytes").GetInt64()),9}", result.StdOut);
        Assert.True(root.GetProperty("fits").GetBoolean());
        Assert.Equal(16_000_000_000, root.GetProperty("device_memory").GetProperty("bytes").GetInt64());
    }

    [Theory]
    [InlineData("--world-size", "2")]
    [InlineData("--json", "plan.json")]
    public void FailsWithOneLine_When_PlanOptionsComeWithoutConfig(string option, string value)
    {
        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor", option, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("plan the memory of a run: add --config FILE", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void FailsSayingWhatIsAccepted_When_DeviceMemoryIsNotASize()
    {
        var result = PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor", "--config", Config("cpu", "fp32"), "--device-memory", "lots");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--device-memory: 'lots' is not a memory size", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    private PolyglotResult Doctor(string config, string worldSize, string json) =>
        PolyglotProcess.RunWithEnvironment(_dir.Path, NoCuda, "doctor", "--config", config, "--world-size", worldSize, "--device-memory", "80GB",
            "--json", json);

    // The run config with the stage, micro-batch and checkpointing of a plan's settings.
    private static string WithSettings(string yaml, JsonElement settings)
    {
        yaml = Regex.Replace(yaml, @"(?m)^(\s+zero:) *\d+", $"$1 {settings.GetProperty("zero").GetInt32()}");
        yaml = Regex.Replace(yaml, @"(?m)^(\s+micro_batch_size:) *\d+", $"$1 {settings.GetProperty("micro_batch_size").GetInt32()}");
        yaml = Regex.Replace(yaml, @"(?m)^\s+activation_checkpointing:.*\n", "");
        return yaml.Replace("\ntraining:\n", $"\ntraining:\n  activation_checkpointing: {(settings.GetProperty("activation_checkpointing").GetBoolean() ? "true" : "false")}\n");
    }
}
