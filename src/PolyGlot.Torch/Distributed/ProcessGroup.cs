using System.Net;
using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Distributed;

/// <summary>
/// This process's membership of a c10d process group (Gloo on CPUs, NCCL on CUDA): collectives over
/// all ranks on flat buffers, each one native call. <see cref="Join"/> rendezvouses through a
/// TCPStore that rank 0 hosts, with the key layout of torch.distributed's default group, so Python
/// ranks on the same libtorch can join the same group. Every member must call the same collectives
/// in the same order; a failure (a rank gone, a timeout) throws a <see cref="TorchException"/>.
/// </summary>
public sealed unsafe class ProcessGroup : IDisposable
{
    private nint _handle;

    private ProcessGroup(nint handle, string backend, int rank, int worldSize, GlooDevice? device)
    {
        (_handle, Backend, Rank, WorldSize, Device) = (handle, backend, rank, worldSize, device);
    }

    /// <summary>The backend: <c>gloo</c> or <c>nccl</c>.</summary>
    public string Backend { get; }

    /// <summary>This process's rank, 0 .. <see cref="WorldSize"/> - 1.</summary>
    public int Rank { get; }

    /// <summary>Processes in the group.</summary>
    public int WorldSize { get; }

    /// <summary>The interface and address Gloo's collectives use (null for NCCL, which chooses its own: <c>NCCL_SOCKET_IFNAME</c>).</summary>
    public GlooDevice? Device { get; }

    /// <summary>
    /// Joins the group of <paramref name="worldSize"/> ranks: rank 0 listens on
    /// <paramref name="port"/>, the others connect to <paramref name="host"/>:<paramref name="port"/>.
    /// Blocks until every rank has joined, at most <paramref name="timeout"/>. Gloo binds the
    /// interface <see cref="GlooDevice.Choose"/> picks (<c>GLOO_SOCKET_IFNAME</c>, else the one that
    /// reaches <paramref name="host"/>); a failed collective then names the rank and host it lost.
    /// </summary>
    /// <exception cref="ArgumentException">GLOO_SOCKET_IFNAME names no interface of this host, or <paramref name="host"/> cannot be resolved or reached.</exception>
    /// <exception cref="TorchException">The rendezvous failed; the message names the rank and the address.</exception>
    public static ProcessGroup Join(string backend, string host, int port, int rank, int worldSize, TimeSpan timeout)
    {
        var device = backend == "gloo" ? GlooDevice.Choose(host, port, Environment.GetEnvironmentVariable(GlooDevice.Variable)) : null;
        var label = device?.Label(Dns.GetHostName()) ?? Dns.GetHostName();
        var handle = Native.DistInit(backend, host, port, rank, worldSize, (long)timeout.TotalMilliseconds,
            string.Join(',', device?.Interfaces ?? []), device?.Address ?? "", label);
        if (handle == 0)
            Native.Check(-1, $"ProcessGroup.Join({backend}, rank {rank} of {worldSize})");
        return new ProcessGroup(handle, backend, rank, worldSize, device);
    }

    /// <summary>Reduces the tensors in place over all ranks (one collective over their concatenation), then scales them.</summary>
    public void AllReduce(IReadOnlyList<Tensor> tensors, ReduceOp op = ReduceOp.Sum, double scale = 1.0)
    {
        var handles = Handles(tensors);
        fixed (nint* h = handles)
            Native.Check(Native.DistAllReduce(Handle, h, handles.Length, (int)op, scale), nameof(AllReduce));
        GC.KeepAlive(tensors);
    }

    /// <summary>Reduces one tensor in place over all ranks.</summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, double scale = 1.0) => AllReduce([tensor], op, scale);

    /// <summary>
    /// Sums the gradients of <paramref name="parameters"/> over all ranks and multiplies them by
    /// <paramref name="scale"/>, in buckets of about <paramref name="bucketBytes"/> whose
    /// all-reduces run concurrently. A parameter without a gradient gets a zero one first.
    /// </summary>
    public void AllReduceGradients(IReadOnlyList<Tensor> parameters, long bucketBytes, double scale)
    {
        var handles = Handles(parameters);
        fixed (nint* h = handles)
            Native.Check(Native.DistAllReduceGrads(Handle, h, handles.Length, bucketBytes, scale), nameof(AllReduceGradients));
        GC.KeepAlive(parameters);
    }

    /// <summary>Overwrites the tensors on every rank with <paramref name="root"/>'s.</summary>
    public void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        var handles = Handles(tensors);
        fixed (nint* h = handles)
            Native.Check(Native.DistBroadcast(Handle, h, handles.Length, root), nameof(Broadcast));
        GC.KeepAlive(tensors);
    }

    /// <summary>Fills <paramref name="output"/> (world size x n elements) with every rank's <paramref name="input"/> (n elements) in rank order.</summary>
    public void AllGather(Tensor output, Tensor input)
    {
        Native.Check(Native.DistAllGather(Handle, output.Handle, input.Handle), nameof(AllGather));
        GC.KeepAlive(output);
        GC.KeepAlive(input);
    }

    /// <summary>Sums <paramref name="input"/> (world size x n elements) over all ranks and keeps this rank's n-element part, scaled, in <paramref name="output"/>.</summary>
    public void ReduceScatter(Tensor output, Tensor input, double scale = 1.0)
    {
        Native.Check(Native.DistReduceScatter(Handle, output.Handle, input.Handle, scale), nameof(ReduceScatter));
        GC.KeepAlive(output);
        GC.KeepAlive(input);
    }

    /// <summary>Returns when every rank has reached it.</summary>
    public void Barrier() => Native.Check(Native.DistBarrier(Handle), nameof(Barrier));

    /// <summary>Leaves the group (closes its connections).</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
            Native.DistFree(handle);
    }

    internal nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    internal static nint[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new nint[tensors.Count];
        for (var i = 0; i < handles.Length; i++)
            handles[i] = tensors[i].Handle;
        return handles;
    }
}
