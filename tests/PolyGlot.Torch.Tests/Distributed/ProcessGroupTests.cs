using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PolyGlot.TestSupport;
using PolyGlot.Torch.Distributed;

namespace PolyGlot.Torch.Tests.Distributed;

public sealed class ProcessGroupTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void CollectivesEqualTorchDistributed_When_APythonRankJoinsTheGroup()
    {
        // Given a torch.distributed (Gloo) process as rank 1 and this process as rank 0
        var port = FreePort();
        using var peer = StartPythonPeer(port, rank: 1, world: 2);

        // When both run the same collectives
        using var group = ProcessGroup.Join("gloo", "127.0.0.1", port, rank: 0, worldSize: 2, Timeout);
        using var scope = DisposeScope.Enter();
        var sum = RankInput(0, 6);
        group.AllReduce(sum);
        var max = RankInput(0, 4);
        group.AllReduce(max, ReduceOp.Max);
        var broadcast = RankInput(0, 5);
        group.Broadcast([broadcast]);
        var gathered = Tensor.Zeros([6]);
        group.AllGather(gathered, RankInput(0, 3));
        group.Barrier();
        var python = ReadPeer(peer);

        // Then both ranks hold the same results, and they are the expected ones
        Assert.Equal(python["all_reduce_sum"], sum.ToArray<float>());
        Assert.Equal(python["all_reduce_max"], max.ToArray<float>());
        Assert.Equal(python["broadcast"], broadcast.ToArray<float>());
        Assert.Equal(python["all_gather"], gathered.ToArray<float>());
        Assert.Equal(Expected(6, r => r + 1, 2), sum.ToArray<float>());
        Assert.Equal(RankInput(1, 4).ToArray<float>(), max.ToArray<float>());
        Assert.Equal([.. RankInput(0, 3).ToArray<float>(), .. RankInput(1, 3).ToArray<float>()], gathered.ToArray<float>());
    }

    [Fact]
    public void EveryRankHoldsItsPartOfTheSum_When_ReduceScattering()
    {
        // Given two ranks (threads), each with input (r + 1) * [1..8] / 8
        var results = RunRanks(2, group =>
        {
            using var scope = DisposeScope.Enter();
            var output = Tensor.Zeros([4]);
            // When reduce-scattering with a mean
            group.ReduceScatter(output, RankInput(group.Rank, 8), scale: 0.5);
            return output.ToArray<float>();
        });

        // Then rank r holds elements [4r, 4r + 4) of the mean
        var mean = Expected(8, r => (r + 1) / 2f, 2);
        Assert.Equal(mean[..4], results[0]);
        Assert.Equal(mean[4..], results[1]);
    }

    [Fact]
    public void GradientsAreAveragedOverRanks_When_BucketsAreSmallerThanOneGradient()
    {
        // Given three parameters per rank, gradients (r + 1) * [1..n] / 8, one without a gradient
        var results = RunRanks(2, group =>
        {
            var parameters = new[] { Tensor.Zeros([3, 2]), Tensor.Zeros([5]), Tensor.Zeros([2]) };
            parameters[0].Grad = RankInput(group.Rank, 6).Reshape([3, 2]);
            parameters[1].Grad = RankInput(group.Rank, 5);
            // When all-reducing in 8-byte buckets (every gradient in a bucket of its own) with 1/world
            group.AllReduceGradients(parameters, bucketBytes: 8, scale: 0.5);
            var grads = parameters.Select(p => p.Grad!.ToArray<float>()).ToArray();
            foreach (var p in parameters)
                p.Dispose();
            return grads;
        });

        // Then every rank holds the mean gradients, zeros for the parameter that had none
        foreach (var grads in results)
        {
            Assert.Equal(Expected(6, r => (r + 1) / 2f, 2), grads[0]);
            Assert.Equal(Expected(5, r => (r + 1) / 2f, 2), grads[1]);
            Assert.Equal(new float[2], grads[2]);
        }
    }

    [Fact]
    public void JoinNamesTheRankAndTheAddress_When_NoRankZeroListens()
    {
        // Given a port nobody listens on
        var port = FreePort();

        // When rank 1 tries to join for two seconds
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<TorchException>(() =>
            ProcessGroup.Join("gloo", "127.0.0.1", port, rank: 1, worldSize: 2, TimeSpan.FromSeconds(2)));

        // Then it fails within a bounded time, naming rank, address and timeout
        Assert.Contains($"rank 1 could not reach 127.0.0.1:{port} within 2 s", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public void JoinSaysThePortIsTaken_When_RankZeroCannotListen()
    {
        // Given a port another socket holds
        using var holder = new TcpListener(IPAddress.Any, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        // When rank 0 tries to host the rendezvous there
        var error = Assert.Throws<TorchException>(() =>
            ProcessGroup.Join("gloo", "127.0.0.1", port, rank: 0, worldSize: 2, TimeSpan.FromSeconds(2)));

        // Then the message names the port and the remedy
        Assert.Contains($"rank 0 could not host the rendezvous on port {port}", error.Message);
        Assert.Contains("MASTER_PORT", error.Message);
    }

    [Fact]
    public void NcclJoinsOnlyWhereLibtorchHasCuda()
    {
        // A CPU-only libtorch has no NCCL: the join names the build and the alternative. A CUDA
        // build (GPU machines) must form a one-rank NCCL group and pass a barrier.
        if (!PolyGlot.Torch.Runtime.Cuda.BuiltWithCuda)
        {
            var error = Assert.Throws<TorchException>(() =>
                ProcessGroup.Join("nccl", "127.0.0.1", FreePort(), rank: 0, worldSize: 1, Timeout));
            Assert.Contains("backend nccl needs libpolyglot_torch built against a CUDA libtorch", error.Message);
            Assert.Contains("use backend gloo", error.Message);
            return;
        }
        using var group = ProcessGroup.Join("nccl", "127.0.0.1", FreePort(), rank: 0, worldSize: 1, Timeout);
        group.Barrier();
        Assert.Equal("nccl", group.Backend);
    }

    private static Tensor RankInput(int rank, int n) =>
        Tensor.FromArray(Enumerable.Range(1, n).Select(i => i * (rank + 1) / 8f).ToArray(), n);

    private static float[] Expected(int n, Func<int, float> factor, int world) =>
        Enumerable.Range(1, n).Select(i => Enumerable.Range(0, world).Sum(r => i * factor(r) / 8f)).ToArray();

    internal static T[] RunRanks<T>(int world, Func<ProcessGroup, T> body)
    {
        var port = FreePort();
        var results = new T[world];
        var failures = new Exception?[world];
        var threads = Enumerable.Range(0, world).Select(rank => new Thread(() =>
        {
            try
            {
                using var group = ProcessGroup.Join("gloo", "127.0.0.1", port, rank, world, Timeout);
                results[rank] = body(group);
            }
            catch (Exception e)
            {
                failures[rank] = e;
            }
        })).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();
        foreach (var failure in failures)
            if (failure is not null)
                throw failure;
        return results;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartPythonPeer(int port, int rank, int world)
    {
        var start = new ProcessStartInfo(ReferencePython.Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { RepositoryPaths.Combine("scripts", "reference", "dist_peer.py"), "127.0.0.1", $"{port}", $"{rank}", $"{world}" })
            start.ArgumentList.Add(argument);
        start.Environment["OMP_NUM_THREADS"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + ReferencePython.Interpreter);
    }

    private static Dictionary<string, float[]> ReadPeer(Process peer)
    {
        var stdout = peer.StandardOutput.ReadToEnd();
        var stderr = peer.StandardError.ReadToEnd();
        Assert.True(peer.WaitForExit(Timeout), "the Python rank did not exit");
        Assert.True(peer.ExitCode == 0, $"the Python rank failed:\n{stderr}");
        return JsonSerializer.Deserialize<Dictionary<string, float[]>>(stdout)!;
    }
}
