using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PolyGlot.Torch.Distributed;

/// <summary>
/// The network interface and address a rank's Gloo collectives use. On a host with several
/// interfaces (a cluster node's Ethernet, InfiniBand, a management network, docker0) the right one
/// is the one the other nodes reach this host on. Rules, in order:
/// <list type="number">
/// <item><c>GLOO_SOCKET_IFNAME</c> (comma-separated, as torch.distributed reads it) names them; a
/// name that is not an interface of this host is an error that lists the ones it has.</item>
/// <item>Otherwise the interface the kernel routes <c>MASTER_ADDR</c> through, with its address
/// (a UDP socket connected to the master, which sends nothing, tells which).</item>
/// <item>When <c>MASTER_ADDR</c> is a host name that resolves to a loopback address here (Debian
/// maps a machine's own name to 127.0.1.1), the other nodes cannot use that address: the interface
/// of the default route is taken instead, or the only non-loopback one.</item>
/// </list>
/// </summary>
/// <param name="Interfaces">The interfaces Gloo binds by name (from <c>GLOO_SOCKET_IFNAME</c>); empty when it binds <see cref="Address"/>.</param>
/// <param name="Interface">The interface of <see cref="Address"/>, for messages.</param>
/// <param name="Address">The address the other ranks connect to.</param>
/// <param name="Reason">Why this one, for the log and <c>polyglot doctor</c>.</param>
public sealed record GlooDevice(IReadOnlyList<string> Interfaces, string Interface, string Address, string Reason)
{
    /// <summary>The variable that names the interfaces, torch.distributed's.</summary>
    public const string Variable = "GLOO_SOCKET_IFNAME";

    /// <summary>Chooses the device for a group whose rendezvous is <paramref name="masterAddress"/>:<paramref name="masterPort"/>.</summary>
    /// <param name="masterAddress"><c>MASTER_ADDR</c>: rank 0's host name or address.</param>
    /// <param name="masterPort"><c>MASTER_PORT</c>.</param>
    /// <param name="socketInterfaces">The value of <c>GLOO_SOCKET_IFNAME</c>, or null.</param>
    /// <exception cref="ArgumentException">A named interface does not exist, the master does not resolve or cannot be routed to; the message says what to set.</exception>
    public static GlooDevice Choose(string masterAddress, int masterPort, string? socketInterfaces)
    {
        var interfaces = NetworkInterface.GetAllNetworkInterfaces();
        if (!string.IsNullOrWhiteSpace(socketInterfaces))
            return Named(socketInterfaces, interfaces);
        var master = Resolve(masterAddress);
        var local = RouteSource(master, masterPort, masterAddress);
        if (IPAddress.IsLoopback(local) && !IsLoopbackName(masterAddress))
            return InsteadOfLoopback(masterAddress, master, interfaces);
        var owner = OwnerOf(local, interfaces);
        return new GlooDevice([], owner, local.ToString(), $"reaches MASTER_ADDR {Describe(masterAddress, master)}");
    }

    /// <summary>How the other ranks name this one in messages, e.g. <c>node-2 (198.51.100.2 on eth0)</c>.</summary>
    public string Label(string host) => $"{host} ({Address} on {Interface})";

    /// <summary>For the log: e.g. <c>eth0 (198.51.100.2), reaches MASTER_ADDR node-1 (198.51.100.1)</c>.</summary>
    public override string ToString() => $"{Interface} ({Address}), {Reason}";

    /// <summary>Every interface of this host with its addresses, e.g. <c>eth0 (198.51.100.2), lo (127.0.0.1)</c>, sorted by name.</summary>
    public static string ListInterfaces() => ListInterfaces(NetworkInterface.GetAllNetworkInterfaces());

    private static GlooDevice Named(string socketInterfaces, NetworkInterface[] interfaces)
    {
        var names = socketInterfaces.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            var found = interfaces.FirstOrDefault(i => i.Name == name) ?? throw new ArgumentException(
                $"{Variable} = '{socketInterfaces}': {Dns.GetHostName()} has no interface {name}; it has {ListInterfaces(interfaces)}: "
                + $"name the one the nodes reach each other on, or unset {Variable} to use the one that reaches MASTER_ADDR.");
            if (FirstAddress(found) is null)
                throw new ArgumentException(
                    $"{Variable} = '{socketInterfaces}': interface {name} of {Dns.GetHostName()} has no IP address (is it down?); it has {ListInterfaces(interfaces)}.");
        }
        var first = interfaces.First(i => i.Name == names[0]);
        return new GlooDevice(names, names[0], FirstAddress(first)!.ToString(), $"named by {Variable}");
    }

    private static IPAddress Resolve(string masterAddress)
    {
        if (IPAddress.TryParse(masterAddress, out var literal))
            return literal;
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(masterAddress);
        }
        catch (SocketException e)
        {
            throw new ArgumentException(
                $"MASTER_ADDR '{masterAddress}' does not resolve on {Dns.GetHostName()} ({e.Message}): give rank 0's host a name every node resolves (DNS or /etc/hosts), or use its address.");
        }
        // The first address is the resolver's (for this host's own name .NET appends every interface's after it).
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ArgumentException($"MASTER_ADDR '{masterAddress}' resolves to no address on {Dns.GetHostName()}.");
    }

    // Connecting a UDP socket only asks the kernel for a route; nothing is sent.
    private static IPAddress RouteSource(IPAddress master, int port, string masterAddress)
    {
        try
        {
            using var socket = new Socket(master.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(master, port));
            return ((IPEndPoint)socket.LocalEndPoint!).Address;
        }
        catch (SocketException e)
        {
            throw new ArgumentException(
                $"{Dns.GetHostName()} has no route to MASTER_ADDR {Describe(masterAddress, master)} ({e.Message}); its interfaces: {ListInterfaces()}.");
        }
    }

    private static GlooDevice InsteadOfLoopback(string masterAddress, IPAddress master, NetworkInterface[] interfaces)
    {
        var candidates = interfaces.Where(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback && FirstAddress(i) is not null).ToList();
        var chosen = candidates.FirstOrDefault(i => i.Name == DefaultRouteInterface()) ?? (candidates.Count == 1 ? candidates[0] : null)
            ?? throw new ArgumentException(
                $"MASTER_ADDR '{masterAddress}' is this host and resolves to {master} here, a loopback address the other nodes cannot reach, "
                + $"and {Dns.GetHostName()} has no default route to pick an interface by: set {Variable} to the interface the nodes reach "
                + $"each other on (this host has {ListInterfaces(interfaces)}).");
        return new GlooDevice([], chosen.Name, FirstAddress(chosen)!.ToString(),
            $"MASTER_ADDR {masterAddress} is this host ({master}, loopback), so the interface of the default route");
    }

    // /proc/net/route lists IPv4 routes as "Iface Destination Gateway ..." in hexadecimal; the default route's destination is 0.
    private static string? DefaultRouteInterface()
    {
        const string routes = "/proc/net/route";
        if (!File.Exists(routes))
            return null;
        return File.ReadLines(routes).Skip(1).Select(line => line.Split('\t', StringSplitOptions.TrimEntries))
            .FirstOrDefault(fields => fields.Length > 1 && fields[1] == "00000000")?[0];
    }

    private static string OwnerOf(IPAddress local, NetworkInterface[] interfaces) =>
        interfaces.FirstOrDefault(i => i.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(local)))?.Name ?? "?";

    private static IPAddress? FirstAddress(NetworkInterface networkInterface)
    {
        var addresses = networkInterface.GetIPProperties().UnicastAddresses.Select(u => u.Address).ToList();
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal);
    }

    private static bool IsLoopbackName(string masterAddress) =>
        masterAddress.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(masterAddress, out var literal) && IPAddress.IsLoopback(literal));

    private static string Describe(string masterAddress, IPAddress master) =>
        masterAddress == master.ToString() ? masterAddress : $"{masterAddress} ({master})";

    private static string ListInterfaces(NetworkInterface[] interfaces) => string.Join(", ", interfaces.OrderBy(i => i.Name, StringComparer.Ordinal)
        .Select(i => FirstAddress(i) is { } address
            ? string.Create(CultureInfo.InvariantCulture, $"{i.Name} ({address})")
            : $"{i.Name} (no address)"));
}
