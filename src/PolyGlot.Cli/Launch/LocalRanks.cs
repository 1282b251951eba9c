using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PolyGlot.Cli.Launch;

/// <summary>
/// Ranks of one node as torchrun would start them: the variables each rank gets, the command
/// line that runs this program again, and a free rendezvous port.
/// </summary>
internal static class LocalRanks
{
    /// <summary>torchrun's variables for local rank <paramref name="local"/> of <paramref name="perNode"/> on node <paramref name="nodeRank"/> of <paramref name="nodes"/>.</summary>
    public static RankEnvironment Variables(int local, int perNode, int nodeRank, int nodes, string address, int port)
    {
        var rank = nodeRank * perNode + local;
        var variables = new Dictionary<string, string>
        {
            ["RANK"] = Text(rank),
            ["WORLD_SIZE"] = Text(nodes * perNode),
            ["LOCAL_RANK"] = Text(local),
            ["LOCAL_WORLD_SIZE"] = Text(perNode),
            ["MASTER_ADDR"] = address,
            ["MASTER_PORT"] = Text(port),
        };
        return new RankEnvironment(rank, variables);
    }

    /// <summary>
    /// How to run this same program again: the apphost or single-file binary directly, or
    /// <c>dotnet polyglot.dll</c> when it was started that way.
    /// </summary>
    public static (string Executable, string[] Prefix) SelfInvocation()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        // Under `dotnet polyglot.dll` the first argument is the .dll; a single-file build has no
        // assembly location to ask for (Assembly.Location is empty there).
        var entry = Environment.GetCommandLineArgs()[0];
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? (process, [entry])
            : (process, []);
    }

    /// <summary>A TCP port nobody listens on at this moment.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Runs one process per rank with <paramref name="environments"/> and returns each one's
    /// standard output; throws with the standard error of the first that fails.
    /// </summary>
    public static string[] RunAndCollect(string executable, IReadOnlyList<string> arguments, IReadOnlyList<RankEnvironment> environments,
        TimeSpan limit)
    {
        var processes = environments.Select(environment =>
        {
            var process = Start(executable, arguments, environment);
            return (Process: process, Output: process.StandardOutput.ReadToEndAsync(), Errors: process.StandardError.ReadToEndAsync());
        }).ToList();
        try
        {
            foreach (var (process, _, errors) in processes)
            {
                if (!process.WaitForExit(limit))
                    throw new TimeoutException($"{executable} {string.Join(' ', arguments)} ran longer than {limit.TotalSeconds} s");
                if (process.ExitCode != 0)
                    throw new InvalidOperationException(
                        $"{Path.GetFileName(executable)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{errors.Result}");
            }
            return processes.Select(p => p.Output.Result).ToArray();
        }
        finally
        {
            foreach (var (process, _, _) in processes)
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }

    /// <summary>Starts one rank's process with its variables added and its output redirected.</summary>
    public static Process Start(string executable, IReadOnlyList<string> arguments, RankEnvironment environment)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment.Variables)
            start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start rank {environment.Rank}: {executable}");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
