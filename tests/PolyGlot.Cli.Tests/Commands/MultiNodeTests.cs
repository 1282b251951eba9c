using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PolyGlot.Cli.Tests.Commands;

/// <summary>
/// Two machines on this one: scripts/multinode.sh puts two nodes in network namespaces joined by
/// veth links (addresses of 198.51.100.0/24 that exist only between them), trains on both with
/// <c>polyglot launch</c>, kills node-2 and cuts the link mid-step, and reruns. The script runs once
/// (the class fixture); each test checks one outcome from the files it leaves (logs, metrics,
/// measured times), not from its PASS lines. Needs root and iproute2, as CI has.
/// </summary>
public sealed partial class MultiNodeTests : IClassFixture<MultiNodeTests.ScriptRun>
{
    private const double Relative = 1e-5;
    private const int TimeoutSeconds = 10;   // training.distributed.timeout_s in the script's config
    private readonly ScriptRun _run;

    public MultiNodeTests(ScriptRun run) => _run = run;

    [MultiNodeFact]
    public void TwoNodesLogTheLossesOfOneProcessAndOfTwoLocalRanks_When_TrainingTheSameConfig()
    {
        // Given the script's uninterrupted runs: two nodes, one process, two ranks on node-1
        var twoNodes = Losses(_run.File("reference/run/metrics.jsonl"));

        // Then every step's loss agrees within 1e-5 relative
        AssertClose(Losses(_run.File("equal/single/metrics.jsonl")), twoNodes);
        AssertClose(Losses(_run.File("equal/single/metrics.jsonl")), Losses(_run.File("equal/local/metrics.jsonl")));

        // And each rank's Gloo used node's eth0 (the link that reaches node-1), not loopback or eth1
        Assert.Contains("gloo on eth0 (198.51.100.1), reaches MASTER_ADDR node-1 (198.51.100.1)", _run.Text("reference/launch-node-1.log"));
        Assert.Contains("gloo on eth0 (198.51.100.2), reaches MASTER_ADDR node-1 (198.51.100.1)", _run.Text("reference/launch-node-2.log"));
    }

    [MultiNodeFact]
    public void SurvivorEndsAtOnceNamingTheLostNodeAndTheRerunResumes_When_Node2IsKilledMidStep()
    {
        var result = _run.Result("kill");

        // The killed launch reports SIGKILL, the survivor exits 1 naming rank 1 on node-2
        Assert.Equal("1 137", result["exit_codes"]);
        Assert.True(int.Parse(result["fault_to_last_exit_ms"], CultureInfo.InvariantCulture) <= TimeoutSeconds * 1000,
            $"the survivor ended {result["fault_to_last_exit_ms"]} ms after the kill");
        Assert.Matches(@"ERR train failed: rank 0 of 2: the [a-z -]+ failed \(lost rank 1 on node-2 \(198\.51\.100\.2 on eth0\): .*run the same command on every node",
            _run.Text("kill/first-node-1.log"));

        // And the same commands resume from the newest complete checkpoint and continue the losses
        Assert.Matches($@"resuming at step \d+ of 400 from .*{result["newest_complete"]}", _run.Text("kill/rerun-node-1.log"));
        AssertClose(Losses(_run.File("reference/run/metrics.jsonl")), Losses(_run.File("kill/run/metrics.jsonl")));
    }

    [MultiNodeFact]
    public void BothNodesEndWithinTheTimeoutAndTheRerunResumes_When_TheLinkGoesDownMidStep()
    {
        var result = _run.Result("partition");

        // Both launches exit 1 within the timeout (plus the time to report), each naming the other node
        Assert.Equal("1 1", result["exit_codes"]);
        var ended = int.Parse(result["fault_to_last_exit_ms"], CultureInfo.InvariantCulture);
        Assert.InRange(ended, 0, (TimeoutSeconds + 2) * 1000);
        Assert.Contains($"no answer from rank 1 on node-2 (198.51.100.2 on eth0) within {TimeoutSeconds} s", _run.Text("partition/first-node-1.log"));
        Assert.Contains($"no answer from rank 0 on node-1 (198.51.100.1 on eth0) within {TimeoutSeconds} s", _run.Text("partition/first-node-2.log"));

        // And after the link is up again the same commands resume and continue the losses
        Assert.Matches($@"resuming at step \d+ of 400 from .*{result["newest_complete"]}", _run.Text("partition/rerun-node-1.log"));
        AssertClose(Losses(_run.File("reference/run/metrics.jsonl")), Losses(_run.File("partition/run/metrics.jsonl")));
    }

    [MultiNodeFact]
    public void GlooSaysWhichInterfacesExist_When_GlooSocketIfnameNamesNone()
    {
        // Both nodes exit 1 at once; the line names the interfaces node-2 has
        var line = _run.Text("ifname/wrong-node-2.log").Split('\n').Single(l => l.Contains(" ERR train failed", StringComparison.Ordinal));
        Assert.EndsWith("GLOO_SOCKET_IFNAME = 'eth9': node-2 has no interface eth9; it has eth0 (198.51.100.2), eth1 (198.51.100.130), lo (127.0.0.1): "
            + "name the one the nodes reach each other on, or unset GLOO_SOCKET_IFNAME to use the one that reaches MASTER_ADDR.", line);

        // And naming eth1 moves the collectives to the second link, with the same losses
        Assert.Contains("gloo on eth1 (198.51.100.130), named by GLOO_SOCKET_IFNAME", _run.Text("ifname/eth1-node-2.log"));
        AssertClose(Losses(_run.File("reference/run/metrics.jsonl")), Losses(_run.File("ifname/eth1/metrics.jsonl")));
    }

    [MultiNodeFact]
    public void DoctorShowsEachRanksInterfaceAndFindsThePortHeldOrTheMasterUnreachable()
    {
        // With nothing wrong each node names its interface and address; node-1 (rank 0's) finds the port free, node-2 reaches it
        var free1 = _run.Text("doctor/free-node-1.log");
        var free2 = _run.Text("doctor/free-node-2.log");
        Assert.Contains("launch              rank 0 of 2 (local 0 of 1) via torchrun, rendezvous at node-1:29500, on node-1", free1);
        Assert.Contains("gloo device         eth0 (198.51.100.1), reaches MASTER_ADDR node-1 (198.51.100.1)", free1);
        Assert.Contains("master              node-1 (198.51.100.1) is this host; port 29500: free", free1);
        Assert.Contains("gloo device         eth0 (198.51.100.2), reaches MASTER_ADDR node-1 (198.51.100.1)", free2);
        Assert.Contains("master              node-1 (198.51.100.1): reachable; nothing listens on port 29500 yet", free2);
        Assert.EndsWith("doctor: ok\n", free2);

        // With the port held on node-1, and with node-2's link down, the doctor that cannot work says why
        Assert.Contains("doctor: port 29500 is in use on this host", _run.Text("doctor/held-node-1.log"));
        Assert.Contains("reachable; something listens on port 29500", _run.Text("doctor/held-node-2.log"));
        Assert.Contains("doctor: node-2 has no route to MASTER_ADDR node-1 (198.51.100.1)", _run.Text("doctor/down-node-2.log"));
    }

    [MultiNodeFact]
    public void NoNamespaceHostsFileOrProcessIsLeft_When_TheScriptHasEnded()
    {
        Assert.True(_run.ExitCode == 0, _run.Output);
        AssertNothingLeft(_run.Prefix, _run.WorkDirectory);
    }

    [MultiNodeFact]
    public void NoNamespaceHostsFileOrProcessIsLeft_When_TheScriptIsTerminatedMidRun()
    {
        // Given the script training on both nodes (its data copied from the fixture's, so not rebuilt)
        using var work = new TempDirectory();
        CopyDirectory(_run.File("data"), Path.Combine(work.Path, "data"));
        using var script = ScriptRun.Start(work.Path, "--only", "equal");
        var output = Task.WhenAll(script.StandardOutput.ReadToEndAsync(), script.StandardError.ReadToEndAsync());
        var log = Path.Combine(work.Path, "reference", "launch-node-2.log");
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(log) && File.ReadAllText(log).Contains("data parallel over 2 ranks", StringComparison.Ordinal))
               && clock.Elapsed < TimeSpan.FromMinutes(2) && !script.HasExited)
            Thread.Sleep(50);
        Assert.False(script.HasExited, "the script ended before its nodes trained");

        // When it receives SIGTERM
        Assert.Equal(0, Kill(script.Id, 15));
        Assert.True(script.WaitForExit(TimeSpan.FromSeconds(60)), "the script did not end within 60 s of SIGTERM");
        output.Wait();

        // Then it exits 143 and its namespaces, hosts files and rank processes are gone
        Assert.Equal(143, script.ExitCode);
        AssertNothingLeft($"polyglot-{script.Id}-", work.Path);
    }

    // No namespace of the run (ip netns list), no /etc/netns entry, no process working on its files.
    private static void AssertNothingLeft(string prefix, string workDirectory)
    {
        var namespaces = ScriptRun.Capture("ip", "netns", "list");
        Assert.DoesNotContain(prefix, namespaces);
        Assert.False(Directory.Exists("/etc/netns") && Directory.EnumerateDirectories("/etc/netns", prefix + "*").Any(),
            $"/etc/netns still holds {prefix}*");
        var processes = Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d => TryRead(Path.Combine(d, "cmdline")).Replace('\0', ' '))
            .Where(command => command.Contains(workDirectory, StringComparison.Ordinal)).ToList();
        Assert.True(processes.Count == 0, "still running: " + string.Join("; ", processes));
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }

    private static IReadOnlyDictionary<long, double> Losses(string metrics) => LaunchCommandTests.Metrics.Read(Path.GetDirectoryName(metrics)!).Losses;

    private static void AssertClose(IReadOnlyDictionary<long, double> expected, IReadOnlyDictionary<long, double> actual)
    {
        Assert.Equal(400, expected.Count);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (step, loss) in expected)
            Assert.True(Math.Abs(actual[step] - loss) <= Relative * Math.Abs(loss), $"step {step}: loss {actual[step]:R} vs {loss:R}");
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    /// <summary>Why these tests cannot run here, or null: they create network namespaces.</summary>
    internal static string? WhyNot()
    {
        if (!OperatingSystem.IsLinux())
            return "network namespaces are Linux's";
        if (Environment.UserName != "root")
            return "needs root: the test creates network namespaces and veth links (ip netns); CI runs as root";
        foreach (var tool in new[] { "ip", "unshare", "python3" })
            if (!OnPath(tool))
                return tool == "ip"
                    ? "the ip command (iproute2) is not installed: the Debian 13 root of scripts/test-torch2.sh does not include it, so the two-node tests run in scripts/test.sh's suite only"
                    : $"{tool} is not installed (scripts/multinode.sh needs it)";
        return null;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    /// <summary>scripts/multinode.sh's CI cases, once for the class, with this build's CLI and a work folder of its own.</summary>
    public sealed class ScriptRun : IDisposable
    {
        private readonly TempDirectory _work = new();

        public ScriptRun()
        {
            if (WhyNot() is not null)
                return;
            using var script = Start(_work.Path);
            Prefix = $"polyglot-{script.Id}-";
            var stdout = script.StandardOutput.ReadToEndAsync();
            var stderr = script.StandardError.ReadToEndAsync();
            if (!script.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                script.Kill(entireProcessTree: true);
                throw new TimeoutException("scripts/multinode.sh ran longer than 10 minutes");
            }
            ExitCode = script.ExitCode;
            Output = stdout.Result + stderr.Result;
        }

        public string WorkDirectory => _work.Path;

        public string Prefix { get; } = "";

        public int ExitCode { get; }

        public string Output { get; } = "";

        public string File(string relative) => Path.Combine(_work.Path, relative);

        public string Text(string relative) =>
            System.IO.File.Exists(File(relative)) ? System.IO.File.ReadAllText(File(relative)) : throw new FileNotFoundException($"{relative} is missing; the script said:\n{Output}");

        /// <summary>The KEY=VALUE lines a case wrote into its result.env.</summary>
        public Dictionary<string, string> Result(string name) => Text($"{name}/result.env").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);

        /// <summary>Starts the script (its CI cases unless <paramref name="arguments"/> say otherwise) on the CLI beside these tests.</summary>
        public static Process Start(string workDirectory, params string[] arguments)
        {
            var start = new ProcessStartInfo(RepositoryPaths.Combine("scripts", "multinode.sh"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            start.Environment["MULTINODE_DIR"] = workDirectory;
            start.Environment["POLYGLOT_DLL"] = Path.Combine(AppContext.BaseDirectory, "polyglot.dll");
            return Process.Start(start) ?? throw new InvalidOperationException("could not start scripts/multinode.sh");
        }

        public static string Capture(string program, params string[] arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output;
        }

        public void Dispose() => _work.Dispose();
    }
}

/// <summary>A fact that is skipped, saying why, where network namespaces cannot be created (not root, no iproute2).</summary>
public sealed class MultiNodeFactAttribute : FactAttribute
{
    public MultiNodeFactAttribute() => Skip = MultiNodeTests.WhyNot();
}
