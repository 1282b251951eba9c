using System.CommandLine;
using PolyGlot.Cli.Launch;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot launch --nproc-per-node N -- train --config run.yaml</c>: runs a polyglot command
/// as N ranks on this node with torchrun's variables (<c>RANK</c>, <c>WORLD_SIZE</c>,
/// <c>LOCAL_RANK</c>, <c>LOCAL_WORLD_SIZE</c>, <c>MASTER_ADDR</c>, <c>MASTER_PORT</c>), the same
/// ones <c>train</c> reads under torchrun; several nodes run one launch each with
/// <c>--nnodes</c>, <c>--node-rank</c> and a common <c>--master-addr</c>/<c>--master-port</c>.
/// </summary>
internal static class LaunchCommand
{
    public static Command Create()
    {
        var perNode = new Option<int>("--nproc-per-node") { Description = "Ranks on this node (one per GPU on CUDA)", Required = true };
        var nodes = new Option<int>("--nnodes") { Description = "Nodes in the job", DefaultValueFactory = _ => 1 };
        var nodeRank = new Option<int>("--node-rank") { Description = "This node's index, 0 .. nnodes-1", DefaultValueFactory = _ => 0 };
        var address = new Option<string?>("--master-addr") { Description = "Host of rank 0, which every node must reach (default 127.0.0.1 on one node; required on several)" };
        var port = new Option<int?>("--master-port") { Description = "Rendezvous port on the host of rank 0 (default: a free port on one node, 29500 on several)" };
        var killTimeout = new Option<int>("--kill-timeout") { Description = "Seconds the other ranks get to stop after one fails, before they are killed", DefaultValueFactory = _ => 60 };
        var command = new Command("launch", "Run a polyglot command (e.g. train) as several data-parallel ranks on this node.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var option in new Option[] { perNode, nodes, nodeRank, address, port, killTimeout })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("launch", () => Launch(new LaunchSettings(parse.GetValue(perNode), parse.GetValue(nodes),
            parse.GetValue(nodeRank), parse.GetValue(address), parse.GetValue(port), parse.GetValue(killTimeout), parse.UnmatchedTokens))));
        return command;
    }

    private static int Launch(LaunchSettings settings)
    {
        settings.Validate();
        var port = settings.Port ?? (settings.Nodes == 1 ? LocalRanks.FreePort() : 29500);
        var (executable, prefix) = LocalRanks.SelfInvocation();
        var environments = Enumerable.Range(0, settings.PerNode)
            .Select(local => LocalRanks.Variables(local, settings.PerNode, settings.NodeRank, settings.Nodes, settings.Address, port)).ToList();
        Serilog.Log.Information("launch: {Count} ranks on {Host} (node {Node} of {Nodes}), rendezvous at {Address}:{Port}: {Command}",
            settings.PerNode, System.Net.Dns.GetHostName(), settings.NodeRank, settings.Nodes, settings.Address, port, string.Join(' ', settings.Command));
        var supervisor = new RankSupervisor { KillTimeout = TimeSpan.FromSeconds(settings.KillTimeoutSeconds) };
        var outcome = supervisor.Run(executable, [.. prefix, .. settings.Command], environments);
        if (outcome.FirstFailedRank is not { } failed)
            return 0;
        var code = outcome.ExitCodes[failed - settings.NodeRank * settings.PerNode];
        Serilog.Log.Error("launch failed: rank {Rank} failed first ({How}); {Others}{Rerun}", failed, Describe(code),
            outcome.KilledSurvivors
                ? $"the ranks still running after {settings.KillTimeoutSeconds} s were killed"
                : "the other ranks stopped on their own",
            settings.Nodes > 1
                ? $"; once the launches of all {settings.Nodes} nodes have ended, run the same command on each: the run resumes from its newest complete checkpoint"
                : "");
        return 1;
    }

    private static string Describe(int code) => code > 128
        ? $"killed by signal {code - 128}{(code == 137 ? " (SIGKILL)" : "")}"
        : $"exit code {code}";
}

/// <summary>The command line of <c>polyglot launch</c>; <see cref="Command"/> is what each rank runs.</summary>
internal sealed record LaunchSettings(int PerNode, int Nodes, int NodeRank, string? MasterAddress, int? Port, int KillTimeoutSeconds,
    IReadOnlyList<string> Command)
{
    /// <summary>Rank 0's host: <c>--master-addr</c>, or loopback for a job of one node.</summary>
    public string Address => MasterAddress ?? "127.0.0.1";

    /// <exception cref="ArgumentException">A setting is out of range; the message names the option.</exception>
    public void Validate()
    {
        if (PerNode < 1)
            throw new ArgumentException($"--nproc-per-node = {PerNode}: must be at least 1.");
        if (Nodes < 1)
            throw new ArgumentException($"--nnodes = {Nodes}: must be at least 1.");
        if (NodeRank < 0 || NodeRank >= Nodes)
            throw new ArgumentException($"--node-rank = {NodeRank}: must be in 0..{Nodes - 1} (--nnodes = {Nodes}).");
        if (Nodes > 1 && MasterAddress is null)
            throw new ArgumentException(
                $"--nnodes {Nodes} needs --master-addr: the host name or address of node 0 (where rank 0 runs), the same on every node, e.g. --master-addr gpu-01.");
        if (Port is < 1 or > 65535)
            throw new ArgumentException($"--master-port = {Port}: must be a port number in 1..65535.");
        if (KillTimeoutSeconds < 1)
            throw new ArgumentException($"--kill-timeout = {KillTimeoutSeconds}: must be at least 1 second.");
        if (Command.Count == 0)
            throw new ArgumentException("no command to launch: give it after --, e.g. polyglot launch --nproc-per-node 2 -- train --config configs/demo.yaml");
    }

}
