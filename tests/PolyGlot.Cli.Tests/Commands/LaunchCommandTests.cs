using System.Text.RegularExpressions;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;

namespace PolyGlot.Cli.Tests.Commands;

/// <summary>
/// Data-parallel training from the outside: <c>polyglot launch</c> with two Gloo ranks on
/// loopback against one process, resumes across world sizes, a rank killed mid-run, and the
/// set-ups that must fail with one clear line. One tiny model, 20 steps, shared data.
/// </summary>
public sealed class LaunchCommandTests : IClassFixture<LaunchCommandTests.TinyRun>
{
    private const double Relative = 1e-5;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly TinyRun _run;

    public LaunchCommandTests(TinyRun run) => _run = run;

    [Fact]
    public void TwoRanksLogTheLossesOfOneProcess_When_TrainingTheSameConfig()
    {
        // Given the uninterrupted one-process run of 20 steps
        var single = _run.Reference;

        // When two ranks train the same config
        var runDir = _run.NewRunDir();
        var launched = _run.Launch(2, runDir);

        // Then every logged loss agrees within 1e-5 relative, and the same tokens per language were consumed
        Assert.True(launched.ExitCode == 0, launched.ToString());
        var parallel = Metrics.Read(_run.Path(runDir));
        AssertLossesClose(single.Losses, parallel.Losses, Relative);
        Assert.Equal(single.FinalTokensPerLanguage, parallel.FinalTokensPerLanguage);
        Assert.Contains("[rank 1]", launched.StdErr);
        var lastStepLines = launched.StdErr.Split('\n').Where(l => l.Contains("step 20/20")).ToList();
        Assert.Contains(lastStepLines, l => l.StartsWith("[rank 0] ", StringComparison.Ordinal));
        Assert.DoesNotContain(lastStepLines, l => l.StartsWith("[rank 1] ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    public void LossesContinueTheUninterruptedRun_When_ResumingOnAnotherWorldSize(int before, int after)
    {
        // Given a run stopped at step 10 on `before` ranks
        var runDir = _run.NewRunDir();
        Assert.Equal(0, _run.TrainOn(before, runDir, maxSteps: 10).ExitCode);

        // When it continues on `after` ranks to the end
        var resumed = _run.TrainOn(after, runDir);

        // Then steps 11-20 agree with the uninterrupted run within 1e-5
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resum", resumed.StdErr, StringComparison.OrdinalIgnoreCase);
        AssertLossesClose(_run.Reference.Losses, Metrics.Read(_run.Path(runDir)).Losses, Relative);
    }

    [Fact]
    public void LossesAreBitIdentical_When_ResumingOnTheSameWorldSize()
    {
        // Given an uninterrupted two-rank run and one stopped at step 10
        var straight = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(2, straight).ExitCode);
        var stopped = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(2, stopped, maxSteps: 10).ExitCode);

        // When the stopped one resumes on two ranks
        Assert.Equal(0, _run.Launch(2, stopped).ExitCode);

        // Then both logged exactly the same losses and wrote the same final weights
        Assert.Equal(Metrics.Read(_run.Path(straight)).Losses, Metrics.Read(_run.Path(stopped)).Losses);
        Assert.Equal(File.ReadAllBytes(System.IO.Path.Combine(_run.FinalCheckpoint(straight), "model.safetensors")),
            File.ReadAllBytes(System.IO.Path.Combine(_run.FinalCheckpoint(stopped), "model.safetensors")));
    }

    [Fact]
    public void LossesAndWeightsAreBitIdentical_When_GradientsAreAveragedDuringOrAfterBackward()
    {
        // Given two ranks averaging 10 KB gradient buckets during backward (the default)
        var during = _run.NewRunDir();
        var overlapped = _run.Launch(2, during, config: "during-backward.yaml");

        // When the same run averages every bucket after backward
        var after = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(2, after, config: "after-backward.yaml").ExitCode);

        // Then buckets did start during backward, and the losses and the final weights are the same
        // bits (the same sums, only started earlier)
        Assert.True(overlapped.ExitCode == 0, overlapped.ToString());
        Assert.Contains("all-reduced during backward", overlapped.StdErr);
        var buckets = File.ReadLines(_run.Path($"{during}/metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "train")
            .Select(e => (All: e.GetProperty("grad_buckets").GetInt32(), During: e.GetProperty("grad_buckets_during_backward").GetInt32()))
            .ToList();
        Assert.All(buckets, b => Assert.True(b.All > 1 && b.During > 0, $"{b.During} of {b.All} buckets started during backward"));
        Assert.Equal(Metrics.Read(_run.Path(after)).Losses, Metrics.Read(_run.Path(during)).Losses);
        Assert.Equal(File.ReadAllBytes(System.IO.Path.Combine(_run.FinalCheckpoint(after), "model.safetensors")),
            File.ReadAllBytes(System.IO.Path.Combine(_run.FinalCheckpoint(during), "model.safetensors")));
    }

    [Fact]
    public void ZeroOneMatchesPlainDataParallel_When_TwoRanksShardTheOptimizerState()
    {
        // Given plain data parallelism and ZeRO-1, each on two ranks
        var plain = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(2, plain).ExitCode);
        var sharded = _run.NewRunDir();
        var result = _run.Launch(2, sharded, config: "zero.yaml");

        // Then losses and the final parameters agree within 1e-5, and each rank held half the state
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertLossesClose(Metrics.Read(_run.Path(plain)).Losses, Metrics.Read(_run.Path(sharded)).Losses, Relative);
        AssertTensorsClose(_run.FinalWeights(plain), _run.FinalWeights(sharded), Relative);
        Assert.Contains("(a 1/2 part; ZeRO-1 over 2 ranks", result.StdErr);
    }

    [Fact]
    public void ZeroOneCheckpointResumesOnOneProcess_When_TheWorldShrinks()
    {
        // Given a ZeRO-1 run on two ranks stopped at step 10
        var runDir = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(2, runDir, maxSteps: 10, config: "zero.yaml").ExitCode);

        // When one process continues it
        var resumed = _run.TrainOn(1, runDir);

        // Then the losses continue the uninterrupted run
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        AssertLossesClose(_run.Reference.Losses, Metrics.Read(_run.Path(runDir)).Losses, Relative);
    }

    [Theory]
    [InlineData(2, "zero2.yaml")]
    [InlineData(4, "zero2-micro1.yaml")]
    [InlineData(2, "zero3.yaml")]
    [InlineData(4, "zero3-micro1.yaml")]
    [InlineData(2, "zero3-recompute.yaml")]
    [InlineData(4, "zero2-recompute.yaml")]
    public void ShardedStagesMatchOneProcess_When_RanksShardGradientsOrParameters(int ranks, string config)
    {
        // Given the one-process run (4 micro-batches of 2 rows per step)
        var single = _run.Reference;

        // When `ranks` ranks train the same model at ZeRO-2 or -3 (2 micro-batches per step; some
        // recomputing each block in backward)
        var runDir = _run.NewRunDir();
        var result = _run.Launch(ranks, runDir, config: config);

        // Then every logged loss and every final parameter agrees within 1e-5 relative
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertLossesClose(single.Losses, Metrics.Read(_run.Path(runDir)).Losses, Relative);
        AssertTensorsClose(_run.FinalWeights("runs/reference"), _run.FinalWeights(runDir), Relative);
        Assert.Contains($"ZeRO-{config[4]} over {ranks} ranks", result.StdErr);
    }

    [Fact]
    public void EachRankHoldsUnderAThirdOfOneProcess_When_FourRanksShardEverythingAtZeroThree()
    {
        // Given what one process holds in a step (parameters, whole gradients, AdamW state)
        var single = HeldMegabytes(_run.TrainOn(1, _run.NewRunDir(), maxSteps: 2));

        // When four ranks train the same model at ZeRO-3
        var sharded = HeldMegabytes(_run.Launch(4, _run.NewRunDir(), maxSteps: 2, config: "zero3-micro1.yaml"));

        // Then each rank holds at most 0.3 of it (a quarter of each, plus padding and small buffers)
        Assert.Single(single);
        Assert.Equal(4, sharded.Count);
        Assert.All(sharded, held => Assert.True(held <= 0.3 * single[0], $"a rank held {held} MB against {single[0]} MB for one process"));
    }

    private static List<double> HeldMegabytes(PolyglotResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return Regex.Matches(result.StdErr, @"held at most ([0-9.]+) MB").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
    }

    [Theory]
    [InlineData(4, "zero3-micro1.yaml", 2, "zero3.yaml")]
    [InlineData(4, "zero3-micro1.yaml", 1, "run.yaml")]
    [InlineData(4, "zero3-micro1.yaml", 2, "zero.yaml")]
    [InlineData(1, "run.yaml", 4, "zero3-micro1.yaml")]
    public void LossesContinueTheUninterruptedRun_When_ResumingAtAnotherStageAndWorldSize(int before, string first, int after, string then)
    {
        // Given a run stopped at step 10 on `before` ranks with the config `first`
        var runDir = _run.NewRunDir();
        Assert.Equal(0, _run.TrainOn(before, runDir, maxSteps: 10, config: first).ExitCode);

        // When it continues on `after` ranks with `then` (another ZeRO stage) to the end
        var resumed = _run.TrainOn(after, runDir, config: then);

        // Then steps 11-20 agree with the uninterrupted one-process run within 1e-5
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resum", resumed.StdErr, StringComparison.OrdinalIgnoreCase);
        AssertLossesClose(_run.Reference.Losses, Metrics.Read(_run.Path(runDir)).Losses, Relative);
    }

    [Fact]
    public void LossesAndWeightsAreBitIdentical_When_AZeroThreeRunResumesOnTheSameRanks()
    {
        // Given an uninterrupted ZeRO-3 run on two ranks and one stopped at step 10
        var straight = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(2, straight, config: "zero3.yaml").ExitCode);
        var stopped = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(2, stopped, maxSteps: 10, config: "zero3.yaml").ExitCode);

        // When the stopped one resumes on two ranks at ZeRO-3
        Assert.Equal(0, _run.Launch(2, stopped, config: "zero3.yaml").ExitCode);

        // Then both logged exactly the same losses and wrote the same final weights and rank files
        Assert.Equal(Metrics.Read(_run.Path(straight)).Losses, Metrics.Read(_run.Path(stopped)).Losses);
        var (a, b) = (_run.FinalWeights(straight), _run.FinalWeights(stopped));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(a, tensor => Assert.Equal(tensor.Value, b[tensor.Key]));
        foreach (var rank in new[] { "rank-00000-of-00002.safetensors", "rank-00001-of-00002.safetensors" })
            Assert.Equal(File.ReadAllBytes(System.IO.Path.Combine(_run.FinalCheckpoint(straight), rank)),
                File.ReadAllBytes(System.IO.Path.Combine(_run.FinalCheckpoint(stopped), rank)));
    }

    [Fact]
    public void EveryRankWritesItsOwnFile_When_AShardedRunSaves()
    {
        // When four ranks at ZeRO-3 save their final checkpoint
        var runDir = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(4, runDir, config: "zero3-micro1.yaml").ExitCode);

        // Then it holds one file per rank and their index instead of whole tensor files, every
        // file passes `sha256sum -c`, and the index covers each parameter with four pieces
        var dir = _run.FinalCheckpoint(runDir);
        string[] ranks = [.. Enumerable.Range(0, 4).Select(r => $"rank-0000{r}-of-00004.safetensors")];
        Assert.All(ranks.Append("shards.json"), file => Assert.True(File.Exists(System.IO.Path.Combine(dir, file)), file));
        Assert.False(File.Exists(System.IO.Path.Combine(dir, "model.safetensors")));
        var check = new ProcessStartInfo("sha256sum", "-c --strict checksums.sha256") { WorkingDirectory = dir, RedirectStandardOutput = true };
        using (var sha = Process.Start(check)!)
        {
            var output = sha.StandardOutput.ReadToEnd();
            sha.WaitForExit();
            Assert.Equal(0, sha.ExitCode);
            Assert.All(ranks, rank => Assert.Contains($"{rank}: OK", output));
        }
        using var index = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(dir, "shards.json")));
        var tokens = index.RootElement.GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "embed.tokens.weight");
        Assert.Equal([0, 1, 2, 3], tokens.GetProperty("pieces").EnumerateArray().Select(p => p.GetProperty("rank").GetInt32()));
    }

    [Fact]
    public void ExportWritesEveryParameter_When_TheCheckpointIsSharded()
    {
        // Given the final checkpoint of four ranks at ZeRO-3
        var runDir = _run.NewRunDir();
        Assert.Equal(0, _run.Launch(4, runDir, config: "zero3-micro1.yaml").ExitCode);

        // When it is exported as a Hugging Face folder
        var folder = _run.Path($"{runDir}/hf");
        var export = PolyglotProcess.Run(_run.Path(""), new Dictionary<string, string>(), Limit,
            ["export", "--checkpoint", System.IO.Path.Combine(_run.Path(runDir), "checkpoints"), "--out", folder]);

        // Then the folder holds as many float32 weights as the checkpoint's parameters
        Assert.True(export.ExitCode == 0, export.ToString());
        var parameters = _run.FinalWeights(runDir).Values.Sum(v => (long)v.Length);
        using var exported = SafetensorsFile.Open(System.IO.Path.Combine(folder, "model.safetensors"));
        Assert.Equal(parameters, exported.Tensors.Sum(t => t.ByteLength / 4));
    }

    [Fact]
    public async Task TheRerunResumesFromThePreviousCheckpoint_When_ARankIsKilledDuringAShardedSave()
    {
        // Given two ZeRO-3 ranks whose checkpoint writes are slowed (each file takes 400 ms)
        var runDir = _run.NewRunDir();
        var slow = new Dictionary<string, string> { ["POLYGLOT_TEST_CHECKPOINT_DELAY_MS"] = "400" };
        using var launcher = PolyglotProcess.Start(_run.Path(""), slow,
            ["launch", "--nproc-per-node", "2", "--", "train", "--config", "zero3-long.yaml", "--run-dir", runDir]);
        var output = Task.WhenAll(launcher.StandardError.ReadToEndAsync(), launcher.StandardOutput.ReadToEndAsync());
        var checkpoints = System.IO.Path.Combine(_run.Path(runDir), "checkpoints");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(System.IO.Path.Combine(checkpoints, "step-000005", "COMPLETE")) && clock.Elapsed < Limit && !launcher.HasExited)
            Thread.Sleep(50);
        while (!Directory.Exists(System.IO.Path.Combine(checkpoints, ".tmp-step-000010-sharded")) && clock.Elapsed < Limit && !launcher.HasExited)
            Thread.Sleep(20);

        // When rank 1 is killed with SIGKILL while the step-10 checkpoint is being written
        Assert.True(Directory.Exists(System.IO.Path.Combine(checkpoints, ".tmp-step-000010-sharded")), "the step-10 save never started");
        Process.GetProcessById(ChildWithVariable(launcher.Id, "RANK=1")).Kill();
        Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(60)), "the launcher did not exit within 60 s");
        await output;

        // Then step 5 is the newest complete checkpoint, and the same command resumes from it
        Assert.Equal(1, launcher.ExitCode);
        Assert.False(File.Exists(System.IO.Path.Combine(checkpoints, "step-000010", "COMPLETE")));
        var rerun = PolyglotProcess.Run(_run.Path(""), new Dictionary<string, string>(), Limit,
            ["launch", "--nproc-per-node", "2", "--", "train", "--config", "zero3-long.yaml", "--run-dir", runDir, "--max-steps", "12"]);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Matches(@"resuming at step 6 of 2000 from .*step-000005", rerun.StdErr);
    }

    [Fact]
    public async Task LauncherNamesTheDeadRankAndTheRerunResumes_When_ARankIsKilled()
    {
        // Given two ranks training a long run, checkpointing every 5 steps
        var runDir = _run.NewRunDir();
        string[] command = ["--kill-timeout", "20", "--", "train", "--config", "long.yaml", "--run-dir", runDir];
        using var launcher = _run.StartLaunch(2, command);
        var stderr = launcher.StandardError.ReadToEndAsync();
        var stdout = launcher.StandardOutput.ReadToEndAsync();
        var checkpoint = System.IO.Path.Combine(_run.Path(runDir), "checkpoints", "step-000010", "COMPLETE");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && clock.Elapsed < Limit && !launcher.HasExited)
            Thread.Sleep(100);
        Assert.True(File.Exists(checkpoint), "no checkpoint at step 10");

        // When rank 1 is killed with SIGKILL
        var rank1 = ChildWithVariable(launcher.Id, "RANK=1");
        Process.GetProcessById(rank1).Kill();
        var killedAt = clock.Elapsed;
        Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(60)), "the launcher did not exit within 60 s");

        // Then the launcher exits non-zero within the kill timeout, naming the dead rank
        var errors = await stderr + await stdout;
        Assert.Equal(1, launcher.ExitCode);
        Assert.Contains("launch failed: rank 1 failed first (killed by signal 9 (SIGKILL))", errors);
        Assert.True(clock.Elapsed - killedAt < TimeSpan.FromSeconds(30), $"took {clock.Elapsed - killedAt} to stop");

        // And the same command resumes from the newest complete checkpoint
        var rerun = PolyglotProcess.Run(_run.Path(""), new Dictionary<string, string>(), Limit,
            ["launch", "--nproc-per-node", "2", "--", "train", "--config", "long.yaml", "--run-dir", runDir, "--max-steps", "30"]);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.True(Regex.IsMatch(rerun.StdErr, @"resuming at step \d+ of 2000 from .*step-0000[1-9][05]"), rerun.ToString());
    }

    [Fact]
    public async Task RanksSaveAndExitCleanly_When_TheLauncherGetsSigterm()
    {
        // Given two ranks training a long run, past their first checkpoint
        var runDir = _run.NewRunDir();
        using var launcher = _run.StartLaunch(2, "--", "train", "--config", "long.yaml", "--run-dir", runDir);
        var stderr = launcher.StandardError.ReadToEndAsync();
        var stdout = launcher.StandardOutput.ReadToEndAsync();
        var first = System.IO.Path.Combine(_run.Path(runDir), "checkpoints", "step-000005", "COMPLETE");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(first) && clock.Elapsed < Limit && !launcher.HasExited)
            Thread.Sleep(100);
        Assert.True(File.Exists(first), "no checkpoint at step 5");

        // When the launcher receives SIGTERM (as from a scheduler)
        using (var kill = Process.Start("kill", ["-TERM", launcher.Id.ToString(CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        var signalled = clock.Elapsed;
        Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(30)), "the launch did not end within 30 s of SIGTERM");

        // Then every rank stopped at the same step, rank 0 saved it, and the launch exits 0
        var output = await stderr + await stdout;
        Assert.True(launcher.ExitCode == 0, output);
        var stopped = Regex.Match(output, @"\[rank 0\] .*stopped by SIGTERM after step (\d+)");
        Assert.True(stopped.Success, output);
        var step = long.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(File.Exists(System.IO.Path.Combine(_run.Path(runDir), "checkpoints", $"step-{step:D6}", "COMPLETE")));
        Assert.Contains($"[rank 1]", output);
        Assert.True(clock.Elapsed - signalled < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TrainLeavesACompleteCheckpoint_When_SigintArrivesTwiceWhileItSaves()
    {
        // Given one process training with checkpoint writes slowed down (test knob: 150 ms per file)
        var runDir = _run.NewRunDir();
        var slowSaves = new Dictionary<string, string> { ["POLYGLOT_TEST_CHECKPOINT_DELAY_MS"] = "150" };
        using var train = PolyglotProcess.Start(_run.Path(""), slowSaves, "train", "--config", "long.yaml", "--run-dir", runDir, "--threads", "1");
        var stderr = train.StandardError.ReadToEndAsync();
        var stdout = train.StandardOutput.ReadToEndAsync();
        var checkpoints = System.IO.Path.Combine(_run.Path(runDir), "checkpoints");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(System.IO.Path.Combine(checkpoints, "step-000005", "COMPLETE")) && clock.Elapsed < Limit && !train.HasExited)
            Thread.Sleep(50);

        // When SIGINT arrives, and again 200 ms later while the stop checkpoint is being written
        Signal(train, "-INT");
        Thread.Sleep(200);
        Signal(train, "-INT");
        Assert.True(train.WaitForExit(TimeSpan.FromSeconds(30)), "train did not stop within 30 s");

        // Then it exits 0, its newest checkpoint is complete and no temporary directory is left
        var output = await stderr + await stdout;
        Assert.True(train.ExitCode == 0, output);
        var stopped = Regex.Match(output, @"stopped by SIGINT after step (\d+)");
        Assert.True(stopped.Success, output);
        var step = long.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(File.Exists(System.IO.Path.Combine(checkpoints, $"step-{step:D6}", "COMPLETE")), output);
        Assert.Empty(Directory.GetDirectories(checkpoints, ".tmp-*"));
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    [Fact]
    public void TrainSaysTheWorldSizeDoesNotSplitTheBatch_When_ThreeRanksShareEightSequences()
    {
        var result = _run.Train(Launcher(rank: 0, world: 3, FreePort()));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("must be a multiple of 2 x 3 = 6", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void TrainSaysNcclNeedsCuda_When_TheConfigAsksForNcclOnTheCpu()
    {
        var result = _run.Train(Launcher(rank: 0, world: 1, FreePort()), "nccl.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("training.distributed.backend = nccl, but this run trains on the CPU", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void TrainNamesTheMissingVariable_When_MasterAddrIsAbsent()
    {
        var environment = Launcher(rank: 0, world: 2, FreePort());
        environment.Remove("MASTER_ADDR");

        var result = _run.Train(environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("MASTER_ADDR is not set", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void TrainSaysThePortIsTaken_When_RankZeroCannotListen()
    {
        using var holder = new TcpListener(IPAddress.Any, 0);
        holder.Start();

        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var result = _run.Train(Launcher(rank: 0, world: 2, port), "short-timeout.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"rank 0 could not host the rendezvous on port {port}", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
    }

    [Fact]
    public void TrainGivesUpWithinTheTimeout_When_RankZeroNeverComes()
    {
        var port = FreePort();
        var clock = Stopwatch.StartNew();

        var result = _run.Train(Launcher(rank: 1, world: 2, port), "short-timeout.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"rank 1 could not reach 127.0.0.1:{port} within 3 s", result.StdErr);
        Assert.False(result.ShowsStackTrace, result.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"took {clock.Elapsed}");
    }

    private static Dictionary<string, string> Launcher(int rank, int world, int port) => new()
    {
        ["RANK"] = rank.ToString(CultureInfo.InvariantCulture),
        ["WORLD_SIZE"] = world.ToString(CultureInfo.InvariantCulture),
        ["MASTER_ADDR"] = "127.0.0.1",
        ["MASTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The child of `parent` whose environment holds `variable` (e.g. RANK=1), read from /proc.
    private static int ChildWithVariable(int parent, string variable)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(System.IO.Path.Combine(dir, "stat"));
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (ppid == parent && File.ReadAllText(System.IO.Path.Combine(dir, "environ")).Split('\0').Contains(variable))
                    return pid;
            }
            catch (IOException)
            {
            }
        }
        throw new InvalidOperationException($"no child of {parent} has {variable}");
    }

    // Per tensor, ||actual - expected|| <= relative x ||expected||. The key bias of the GPT-2 layout
    // is left out: its gradient is zero analytically (adding q.b to every score of a query does
    // not change the softmax), so its values are rounding noise that Adam scales up, and any change
    // of summation order (here: the gradient norm computed from shards) gives other noise.
    private static void AssertTensorsClose(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, double relative)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, a) in expected.Where(t => !t.Key.EndsWith("attn.wk.bias", StringComparison.Ordinal)))
        {
            var b = actual[name];
            var norm = Math.Sqrt(a.Sum(x => (double)x * x));
            var difference = Math.Sqrt(a.Zip(b, (x, y) => ((double)x - y) * ((double)x - y)).Sum());
            Assert.True(difference <= relative * norm, $"{name}: ||difference|| {difference:E2} against ||value|| {norm:E2}");
        }
    }

    private static void AssertLossesClose(IReadOnlyDictionary<long, double> expected, IReadOnlyDictionary<long, double> actual, double relative)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (step, loss) in expected)
            Assert.True(Math.Abs(actual[step] - loss) <= relative * Math.Abs(loss),
                $"step {step}: loss {actual[step]:R} vs {loss:R} (relative {Math.Abs(actual[step] - loss) / loss:E2})");
    }

    /// <summary>The logged losses (by step, counted from 1) and the final tokens per language of a run directory.</summary>
    internal sealed record Metrics(IReadOnlyDictionary<long, double> Losses, IReadOnlyDictionary<string, long> FinalTokensPerLanguage)
    {
        public static Metrics Read(string runDir)
        {
            var losses = new SortedDictionary<long, double>();
            var tokens = new Dictionary<string, long>();
            foreach (var line in File.ReadLines(System.IO.Path.Combine(runDir, "metrics.jsonl")))
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.GetProperty("kind").GetString() != "train")
                    continue;
                losses[root.GetProperty("step").GetInt64()] = root.GetProperty("loss").GetDouble();
                tokens = root.GetProperty("tokens_per_language").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
            }
            return new Metrics(losses, tokens);
        }
    }

    /// <summary>The tiny model's data (tokenizer and shards, built once) and its one-process reference run.</summary>
    public sealed class TinyRun : IDisposable
    {
        private readonly TempDirectory _dir = new();
        private int _runs;

        public TinyRun()
        {
            DataConfigFixture.Write(_dir, withMissingSource: false);
            _dir.Write("run.yaml", Config(totalSteps: 20, distributed: ""));
            _dir.Write("long.yaml", Config(totalSteps: 2000, distributed: ""));
            _dir.Write("zero3-long.yaml", Config(totalSteps: 2000, distributed: "distributed: {zero: 3}, "));
            _dir.Write("nccl.yaml", Config(totalSteps: 20, distributed: "distributed: {backend: nccl}, "));
            _dir.Write("zero.yaml", Config(totalSteps: 20, distributed: "distributed: {zero: 1}, "));
            foreach (var stage in new[] { 2, 3 })
            {
                var zero = $"distributed: {{zero: {stage}}}, ";
                _dir.Write($"zero{stage}.yaml", Config(totalSteps: 20, distributed: zero));
                // On 4 ranks a micro-batch of 1 row keeps 2 micro-batches per step (8 rows / 4 ranks).
                _dir.Write($"zero{stage}-micro1.yaml", Config(totalSteps: 20, distributed: zero, microBatch: 1));
                _dir.Write($"zero{stage}-recompute.yaml", Config(totalSteps: 20, distributed: zero + "activation_checkpointing: true, "));
            }
            _dir.Write("during-backward.yaml", Config(totalSteps: 20, distributed: "distributed: {bucket_mb: 0.01}, "));
            _dir.Write("after-backward.yaml", Config(totalSteps: 20, distributed: "distributed: {bucket_mb: 0.01, overlap_backward: false}, "));
            _dir.Write("short-timeout.yaml", Config(totalSteps: 20, distributed: "distributed: {timeout_s: 3}, "));
            var reference = TrainOn(1, "runs/reference");
            if (reference.ExitCode != 0)
                throw new InvalidOperationException("the reference run failed: " + reference);
            Reference = Metrics.Read(Path("runs/reference"));
        }

        private static string Config(int totalSteps, string distributed, int microBatch = 2) => $$"""
                name: tiny-dp
                model: {layout: polylm, vocab_size: 320, d_model: 32, n_layers: 2, n_heads: 2, ffn_hidden: 64, max_seq_len: 16, init_std: 0.02, dropout: 0.0}
                preparation: data.yaml
                tokenizer: {path: out/tokenizer/tokenizer.model}
                data:
                  seq_len: 16
                  global_batch_size: 8
                  seed: 3
                  sources: [{name: english, path: out/shards}]
                optimizer: {lr: 1.0e-2, weight_decay: 0.01}
                schedule: {warmup_steps: 3, min_lr: 1.0e-3, total_steps: {{totalSteps}}}
                training: {{{distributed}}device: cpu, micro_batch_size: {{microBatch}}, seed: 7}
                checkpointing: {every_steps: 5, keep_last: 5}
                eval: {every_steps: 0}
                logging: {run_dir: runs/reference, log_every_steps: 5}
                """;

        internal Metrics Reference { get; }

        internal string Path(string relative) => _dir.File(relative);

        internal string NewRunDir() => $"runs/r{Interlocked.Increment(ref _runs)}";

        internal string FinalCheckpoint(string runDir) => System.IO.Path.Combine(Path(runDir), "checkpoints", "step-000020");

        /// <summary>The parameters of a run's step-20 checkpoint by name, whether one file or the ranks' parts hold them.</summary>
        internal Dictionary<string, float[]> FinalWeights(string runDir)
        {
            var checkpoint = Checkpoint.Load(FinalCheckpoint(runDir));
            using var weights = checkpoint.OpenModel();
            using var scope = DisposeScope.Enter();
            return weights.Names.ToDictionary(name => name, name => weights.Read(name, Device.Cpu).ToArray<float>());
        }

        /// <summary>One process (1 thread, like each rank on this machine) or a launch of <paramref name="ranks"/>.</summary>
        internal PolyglotResult TrainOn(int ranks, string runDir, long? maxSteps = null, string config = "run.yaml") => ranks == 1
            ? PolyglotProcess.Run(_dir.Path, NoLauncher, Limit, [.. TrainArguments(runDir, maxSteps, config), "--threads", "1"])
            : Launch(ranks, runDir, maxSteps, config);

        internal PolyglotResult Launch(int ranks, string runDir, long? maxSteps = null, string config = "run.yaml") =>
            PolyglotProcess.Run(_dir.Path, NoLauncher, Limit,
                ["launch", "--nproc-per-node", Text(ranks), "--", .. TrainArguments(runDir, maxSteps, config)]);

        internal Process StartLaunch(int ranks, params string[] rest) =>
            PolyglotProcess.Start(_dir.Path, NoLauncher, ["launch", "--nproc-per-node", Text(ranks), .. rest]);

        internal PolyglotResult Train(IReadOnlyDictionary<string, string> environment, string config = "run.yaml") =>
            PolyglotProcess.Run(_dir.Path, environment, Limit, ["train", "--config", config, "--run-dir", NewRunDir()]);

        public void Dispose() => _dir.Dispose();

        // A test run under a launcher must not pass its own variables on.
        private static readonly Dictionary<string, string> NoLauncher = new();

        private static string[] TrainArguments(string runDir, long? maxSteps, string config = "run.yaml") => maxSteps is { } max
            ? ["train", "--config", config, "--run-dir", runDir, "--max-steps", Text(max)]
            : ["train", "--config", config, "--run-dir", runDir];

        private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
