using System.Net;
using System.Net.Sockets;
using PolyGlot.Torch.Distributed;

namespace PolyGlot.Torch.Tests.Distributed;

/// <summary>
/// The choice of Gloo's interface on this host's own interfaces (loopback exists everywhere); the
/// choice between several real interfaces runs in two network namespaces
/// (tests/PolyGlot.Cli.Tests/Commands/MultiNodeTests.cs, scripts/multinode.sh).
/// </summary>
public sealed class GlooDeviceTests
{
    private const int Port = 29500;

    [Fact]
    public void BindsLoopback_When_TheMasterIsALoopbackAddress()
    {
        var device = GlooDevice.Choose("127.0.0.1", Port, socketInterfaces: null);

        Assert.Equal("lo", device.Interface);
        Assert.Equal("127.0.0.1", device.Address);
        Assert.Empty(device.Interfaces);
        Assert.Equal("lo (127.0.0.1), reaches MASTER_ADDR 127.0.0.1", device.ToString());
    }

    [Fact]
    public void BindsTheNamedInterfaces_When_GlooSocketIfnameIsSet()
    {
        var device = GlooDevice.Choose("127.0.0.1", Port, socketInterfaces: "lo");

        Assert.Equal(["lo"], device.Interfaces);
        Assert.Equal("127.0.0.1", device.Address);
        Assert.Equal("named by GLOO_SOCKET_IFNAME", device.Reason);
    }

    [Fact]
    public void ListsTheInterfacesInOneLine_When_GlooSocketIfnameNamesNone()
    {
        var error = Assert.Throws<ArgumentException>(() => GlooDevice.Choose("127.0.0.1", Port, socketInterfaces: "lo,nosuch0"));

        Assert.Contains($"GLOO_SOCKET_IFNAME = 'lo,nosuch0': {Dns.GetHostName()} has no interface nosuch0; it has ", error.Message);
        Assert.Contains("lo (127.0.0.1)", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void SaysTheMasterDoesNotResolve_When_ItsNameIsUnknown()
    {
        var error = Assert.Throws<ArgumentException>(() => GlooDevice.Choose("no-such-host.invalid", Port, socketInterfaces: null));

        Assert.Contains("MASTER_ADDR 'no-such-host.invalid' does not resolve on", error.Message);
    }

    [Fact]
    public void LabelNamesHostAddressAndInterface()
    {
        var device = GlooDevice.Choose("127.0.0.1", Port, socketInterfaces: null);

        Assert.Equal("node-2 (127.0.0.1 on lo)", device.Label("node-2"));
    }

    [Fact]
    public void RankZeroNamesTheRankThatNeverJoined_When_TheRendezvousTimesOut()
    {
        // Given a free port and a group of two whose rank 1 never starts
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        // When rank 0 hosts the rendezvous for two seconds
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<TorchException>(() => ProcessGroup.Join("gloo", "127.0.0.1", port, rank: 0, worldSize: 2, TimeSpan.FromSeconds(2)));

        // Then it gives up within the timeout (plus the time to say so), naming rank 1
        Assert.Contains($"rank 0 hosts the rendezvous on port {port}, but rank 1 did not join within 2 s (1 of 2 ranks came)", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }
}
