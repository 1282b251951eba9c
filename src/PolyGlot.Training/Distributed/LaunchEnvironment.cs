using System.Globalization;

namespace PolyGlot.Training.Distributed;

/// <summary>
/// Where this process sits in a multi-process job, read from the variables the launchers set:
/// torchrun and <c>polyglot launch</c> (<c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>,
/// <c>LOCAL_WORLD_SIZE</c>, <c>MASTER_ADDR</c>, <c>MASTER_PORT</c>) or SLURM (<c>SLURM_PROCID</c>,
/// <c>SLURM_NTASKS</c>, <c>SLURM_LOCALID</c>, <c>SLURM_NTASKS_PER_NODE</c>, the first host of
/// <c>SLURM_JOB_NODELIST</c> / <c>SLURM_NODELIST</c>). torchrun's variables win when both are set;
/// <c>MASTER_ADDR</c> and <c>MASTER_PORT</c> override SLURM's defaults.
/// </summary>
/// <param name="Rank">Global rank of this process.</param>
/// <param name="WorldSize">Processes in the job.</param>
/// <param name="LocalRank">Rank on this node (picks the GPU).</param>
/// <param name="LocalWorldSize">Processes on this node (divides the CPU cores).</param>
/// <param name="MasterAddress">Host of rank 0, where the rendezvous store listens.</param>
/// <param name="MasterPort">Port of the rendezvous store.</param>
/// <param name="Launcher"><c>torchrun</c> or <c>SLURM</c>, for messages.</param>
public sealed record LaunchEnvironment(int Rank, int WorldSize, int LocalRank, int LocalWorldSize, string MasterAddress, int MasterPort,
    string Launcher)
{
    /// <summary>The port used when SLURM launches and <c>MASTER_PORT</c> is not set (torchrun's default too).</summary>
    public const int DefaultPort = 29500;

    /// <summary>Reads the process's environment; null when no launcher variables are set (a single process).</summary>
    /// <exception cref="ArgumentException">The variables are incomplete or inconsistent; the message names the variable.</exception>
    public static LaunchEnvironment? FromProcess() => From(name => Environment.GetEnvironmentVariable(name));

    /// <summary>Reads the variables through <paramref name="variable"/>; null when none of the launchers' variables are set.</summary>
    /// <exception cref="ArgumentException">The variables are incomplete or inconsistent; the message names the variable.</exception>
    public static LaunchEnvironment? From(Func<string, string?> variable)
    {
        if (variable("WORLD_SIZE") is not null || variable("RANK") is not null)
            return FromTorchrun(variable);
        if (variable("SLURM_PROCID") is not null && variable("SLURM_NTASKS") is not null)
            return FromSlurm(variable);
        return null;
    }

    /// <summary>One line for the log, e.g. <c>rank 1 of 4 (local 1 of 2) via torchrun, rendezvous at node1:29500</c>.</summary>
    public override string ToString() =>
        $"rank {Rank} of {WorldSize} (local {LocalRank} of {LocalWorldSize}) via {Launcher}, rendezvous at {MasterAddress}:{MasterPort}";

    private static LaunchEnvironment FromTorchrun(Func<string, string?> variable)
    {
        var world = Integer(variable, "WORLD_SIZE", "torchrun", min: 1);
        var rank = Integer(variable, "RANK", "torchrun", min: 0);
        var local = variable("LOCAL_RANK") is null ? rank : Integer(variable, "LOCAL_RANK", "torchrun", min: 0);
        var localWorld = variable("LOCAL_WORLD_SIZE") is null ? world : Integer(variable, "LOCAL_WORLD_SIZE", "torchrun", min: 1);
        var address = Required(variable, "MASTER_ADDR", "torchrun",
            "set it to the host name of rank 0 (torchrun and polyglot launch set it)");
        var port = Port(variable("MASTER_PORT"), "torchrun") ?? throw new ArgumentException(
            "MASTER_PORT is not set, but RANK/WORLD_SIZE are: set it to a free port on the host of rank 0 (torchrun and polyglot launch set it).");
        return Checked(new LaunchEnvironment(rank, world, local, localWorld, address, port, "torchrun"));
    }

    private static LaunchEnvironment FromSlurm(Func<string, string?> variable)
    {
        var world = Integer(variable, "SLURM_NTASKS", "SLURM", min: 1);
        var rank = Integer(variable, "SLURM_PROCID", "SLURM", min: 0);
        var local = variable("SLURM_LOCALID") is null ? 0 : Integer(variable, "SLURM_LOCALID", "SLURM", min: 0);
        var localWorld = TasksOnThisNode(variable("SLURM_NTASKS_PER_NODE")) ?? 1;
        var address = variable("MASTER_ADDR") is { Length: > 0 } overridden
            ? overridden
            : SlurmNodeList.FirstHost(variable("SLURM_JOB_NODELIST") ?? variable("SLURM_NODELIST") ?? throw new ArgumentException(
                "SLURM_PROCID is set but neither SLURM_JOB_NODELIST nor SLURM_NODELIST is: run under srun/sbatch, or set MASTER_ADDR."));
        var port = Port(variable("MASTER_PORT"), "SLURM") ?? DefaultPort;
        return Checked(new LaunchEnvironment(rank, world, local, Math.Max(localWorld, local + 1), address, port, "SLURM"));
    }

    private static LaunchEnvironment Checked(LaunchEnvironment launch)
    {
        if (launch.Rank >= launch.WorldSize)
            throw new ArgumentException($"the {launch.Launcher} rank {launch.Rank} is not below the world size {launch.WorldSize}.");
        if (launch.LocalRank >= launch.LocalWorldSize)
            throw new ArgumentException(
                $"the {launch.Launcher} local rank {launch.LocalRank} is not below the local world size {launch.LocalWorldSize}.");
        return launch;
    }

    // SLURM_NTASKS_PER_NODE looks like "8" or "8(x2)" or "8(x2),4".
    private static int? TasksOnThisNode(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var digits = new string(value.TakeWhile(char.IsDigit).ToArray());
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var tasks) && tasks > 0 ? tasks : null;
    }

    private static int Integer(Func<string, string?> variable, string name, string launcher, int min)
    {
        var text = Required(variable, name, launcher, "the launcher sets it");
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new ArgumentException($"{name} = '{text}' (set by {launcher}): must be an integer >= {min}.");
        return value;
    }

    private static string Required(Func<string, string?> variable, string name, string launcher, string hint) =>
        variable(name) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"{name} is not set, but other {launcher} variables are: {hint}.");

    private static int? Port(string? text, string launcher)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"MASTER_PORT = '{text}' ({launcher}): must be a port number in 1..65535.");
        return port;
    }
}
