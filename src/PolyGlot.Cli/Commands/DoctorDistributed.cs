using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PolyGlot.Torch.Distributed;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot doctor --distributed</c>: what this process would use as a rank of a data-parallel
/// job, from the same launcher variables <c>train</c> reads (torchrun's, <c>polyglot launch</c>'s or
/// SLURM's): its host, the rendezvous, the backend, and the interface and address Gloo would bind
/// (<see cref="GlooDevice"/>); then whether the master can be reached and its port is free. Under
/// <c>polyglot launch ... -- doctor --distributed</c> every rank prints its own lines.
/// </summary>
internal static class DoctorDistributed
{
    private static readonly TimeSpan ConnectLimit = TimeSpan.FromSeconds(3);

    /// <summary>Prints the findings; returns the problems (empty when a job could start here).</summary>
    public static IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        var host = Dns.GetHostName();
        LaunchEnvironment? launch;
        try
        {
            launch = LaunchEnvironment.FromProcess();
        }
        catch (ArgumentException e)
        {
            return [e.Message];
        }
        Console.WriteLine(launch is null
            ? $"launch              none on {host}: no launcher variables (RANK/WORLD_SIZE, SLURM_PROCID); checked as rank 0 with the rendezvous on this host"
            : $"launch              {launch}, on {host}");
        launch ??= new LaunchEnvironment(0, 1, 0, 1, "127.0.0.1", LaunchEnvironment.DefaultPort, "none");
        var backend = Cuda.IsAvailable ? "nccl" : "gloo";
        Console.WriteLine($"backend             {backend} (training.distributed.backend: auto; {(Cuda.IsAvailable ? "CUDA devices" : "no CUDA device")})");
        Interface(launch, backend, problems);
        Master(launch, host, problems);
        return problems;
    }

    private static void Interface(LaunchEnvironment launch, string backend, List<string> problems)
    {
        try
        {
            var device = GlooDevice.Choose(launch.MasterAddress, launch.MasterPort, Environment.GetEnvironmentVariable(GlooDevice.Variable));
            Console.WriteLine($"gloo device         {device}");
            if (backend == "nccl")
                Console.WriteLine($"NCCL_SOCKET_IFNAME  {Environment.GetEnvironmentVariable("NCCL_SOCKET_IFNAME") ?? $"not set: NCCL picks its own; the interface that reaches the master is {device.Interface}"}");
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }
    }

    // On the master's host: can rank 0 listen on the port? Elsewhere: does the master answer?
    private static void Master(LaunchEnvironment launch, string host, List<string> problems)
    {
        var (name, port) = (launch.MasterAddress, launch.MasterPort);
        IPAddress master;
        try
        {
            master = IPAddress.TryParse(name, out var literal) ? literal : Dns.GetHostAddresses(name).First();
        }
        catch (SocketException e)
        {
            problems.Add($"MASTER_ADDR '{name}' does not resolve on {host} ({e.Message})");
            return;
        }
        if (IPAddress.IsLoopback(master) || IsLocal(master))
            Console.WriteLine($"master              {name} ({master}) is this host; port {port}: {PortHere(port, problems)}");
        else
            Console.WriteLine($"master              {name} ({master}): {Probe(master, port, name, host, problems)}");
    }

    private static string PortHere(int port, List<string> problems)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return "free (rank 0 can host the rendezvous)";
        }
        catch (SocketException e)
        {
            problems.Add($"port {port} is in use on this host ({e.Message}): stop what holds it, or choose another MASTER_PORT (--master-port) on every node");
            return "in use";
        }
    }

    private static string Probe(IPAddress master, int port, string name, string host, List<string> problems)
    {
        using var client = new TcpClient(master.AddressFamily);
        try
        {
            if (client.ConnectAsync(master, port).Wait(ConnectLimit))
                return $"reachable; something listens on port {port} (a job's rendezvous running now, or another program holding the port)";
            problems.Add($"{name}:{port} did not answer {host} within {ConnectLimit.TotalSeconds:0} s: check that the node is up, the network between them and a firewall");
            return "no answer";
        }
        catch (AggregateException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return $"reachable; nothing listens on port {port} yet (free for rank 0's rendezvous)";
        }
        catch (AggregateException e) when (e.InnerException is SocketException socket)
        {
            problems.Add($"{name}:{port} cannot be reached from {host} ({socket.Message}): check the network between them, the routes and MASTER_ADDR");
            return "unreachable";
        }
    }

    private static bool IsLocal(IPAddress address) => NetworkInterface.GetAllNetworkInterfaces()
        .Any(i => i.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address)));
}
