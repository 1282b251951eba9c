using System.Globalization;
using PolyGlot.Torch;
using PolyGlot.Torch.Distributed;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Distributed;

/// <summary>
/// Data parallelism over a c10d process group: identical parameters on every rank at the start
/// (broadcast from rank 0, then verified by checksum), gradients averaged in buckets during or
/// after backward, and small host values (loss sums, token counts, flags) reduced for logging and for
/// decisions every rank must take alike.
/// </summary>
public sealed class DataParallel : IDisposable
{
    private readonly ProcessGroup _group;
    private readonly long _bucketBytes;
    private readonly Device _scratch;

    // NCCL reduces CUDA tensors only, so the small host values travel through the training device there.
    private DataParallel(ProcessGroup group, LaunchEnvironment launch, long bucketBytes, bool overlapBackward, Device device)
    {
        (_group, Launch, _bucketBytes, OverlapBackward) = (group, launch, bucketBytes, overlapBackward);
        _scratch = group.Backend == "nccl" ? device : Device.Cpu;
    }

    /// <summary>Where this process sits in the job.</summary>
    public LaunchEnvironment Launch { get; }

    /// <summary>This rank.</summary>
    public int Rank => _group.Rank;

    /// <summary>Ranks in the group.</summary>
    public int WorldSize => _group.WorldSize;

    /// <summary>The backend in use (<c>gloo</c> or <c>nccl</c>).</summary>
    public string Backend => _group.Backend;

    /// <summary>Whether gradient buckets are all-reduced during backward (<c>training.distributed.overlap_backward</c>).</summary>
    public bool OverlapBackward { get; }

    /// <summary>The process group itself, for sharded optimizers.</summary>
    public ProcessGroup Group => _group;

    /// <summary>
    /// Joins the group of <paramref name="launch"/>: the backend is <c>training.distributed.backend</c>,
    /// or NCCL for a CUDA <paramref name="device"/> and Gloo for the CPU when it says <c>auto</c>.
    /// </summary>
    /// <exception cref="ArgumentException">NCCL was asked for a CPU run.</exception>
    /// <exception cref="DistributedException">The rendezvous failed or timed out; the message names the rank and the address.</exception>
    public static DataParallel Join(LaunchEnvironment launch, DistributedConfig config, Device device)
    {
        var backend = config.Backend == "auto" ? (device.IsCuda ? "nccl" : "gloo") : config.Backend;
        if (backend == "nccl" && !device.IsCuda)
            throw new ArgumentException(
                "training.distributed.backend = nccl, but this run trains on the CPU: NCCL moves CUDA tensors only; use gloo (or auto) for CPU runs.");
        ProcessGroup group;
        try
        {
            group = ProcessGroup.Join(backend, launch.MasterAddress, launch.MasterPort, launch.Rank, launch.WorldSize,
                TimeSpan.FromSeconds(config.TimeoutS));
        }
        catch (TorchException e)
        {
            throw new DistributedException(e.NativeMessage, e);
        }
        return new DataParallel(group, launch, config.BucketBytes, config.OverlapBackward, device);
    }

    /// <summary>
    /// Copies rank 0's parameters to every rank, then checks that all ranks hold the same values
    /// (a per-tensor sum and sum of squares in float64, compared bit for bit).
    /// </summary>
    /// <exception cref="InvalidOperationException">A rank's parameters differ after the broadcast.</exception>
    public void SyncParameters(IReadOnlyList<Tensor> parameters)
    {
        using var noGrad = new NoGradScope();
        Collective("parameter broadcast", () => _group.Broadcast(parameters, root: 0));
        var mismatch = FirstRankWithOtherParameters(parameters);
        if (mismatch is { } rank)
            throw new InvalidOperationException(
                $"the parameters of rank {rank} differ from rank 0's after the broadcast; the ranks do not build the same model (check that every rank runs the same config and build).");
    }

    /// <summary>Returns the first rank whose parameter checksum differs from rank 0's, or null when all agree.</summary>
    public int? FirstRankWithOtherParameters(IReadOnlyList<Tensor> parameters)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var sums = parameters.SelectMany(p =>
        {
            var wide = p.To(DType.Float64);
            return new[] { wide.Sum(), wide.Square().Sum() };
        }).ToList();
        var local = Tensor.Stack(sums).To(_scratch);
        var all = Tensor.Zeros([WorldSize * local.NumEl], DType.Float64, _scratch);
        Collective("parameter checksum", () => _group.AllGather(all, local));
        var values = all.To(Device.Cpu).ToArray<double>();
        var n = (int)local.NumEl;
        for (var rank = 1; rank < WorldSize; rank++)
            if (!values.AsSpan(rank * n, n).SequenceEqual(values.AsSpan(0, n)))
                return rank;
        return null;
    }

    /// <summary>Replaces every gradient with its mean over all ranks (bucketed all-reduce).</summary>
    public void AverageGradients(IReadOnlyList<Tensor> parameters) =>
        Collective("gradient all-reduce", () => _group.AllReduceGradients(parameters, _bucketBytes, 1.0 / WorldSize));

    /// <summary>
    /// A reducer that averages the gradients of <paramref name="parameters"/> (in model order) while
    /// backward runs: buckets are formed from the last parameter backwards, whose gradients are final first.
    /// </summary>
    public GradientReducer OverlappedAverage(IReadOnlyList<Tensor> parameters) =>
        new(_group, parameters.Reverse().ToList(), _bucketBytes, 1.0 / WorldSize);

    /// <summary>Finishes what <paramref name="reducer"/> started during backward: every gradient is then its mean over all ranks.</summary>
    public void AverageGradients(GradientReducer reducer) => Collective("gradient all-reduce", reducer.Finish);

    /// <summary>Sums <paramref name="tensor"/> (on the training device) over all ranks in place, without reading it.</summary>
    public void SumInPlace(Tensor tensor, string what) => Collective(what, () => _group.AllReduce(tensor));

    /// <summary>True on every rank when <paramref name="holds"/> is true on every rank.</summary>
    public bool All(bool holds)
    {
        using var scope = DisposeScope.Enter();
        var flag = Tensor.FromArray([holds ? 1.0 : 0.0], 1).To(_scratch);
        Collective("agreement", () => _group.AllReduce(flag, ReduceOp.Min));
        return flag.To(Device.Cpu).ToDouble() == 1.0;
    }

    /// <summary>Every rank's <paramref name="value"/>, in rank order.</summary>
    public long[] Gather(long value)
    {
        using var scope = DisposeScope.Enter();
        var all = Tensor.Zeros([WorldSize], DType.Int64, _scratch);
        var local = Tensor.FromArray([value], 1).To(_scratch);
        Collective("gather", () => _group.AllGather(all, local));
        return all.To(Device.Cpu).ToArray<long>();
    }

    /// <summary>Every rank's <paramref name="values"/> (the same count on each), concatenated in rank order.</summary>
    public long[] Gather(long[] values)
    {
        using var scope = DisposeScope.Enter();
        var all = Tensor.Zeros([WorldSize * values.Length], DType.Int64, _scratch);
        var local = Tensor.FromArray(values).To(_scratch);
        Collective("gather", () => _group.AllGather(all, local));
        return all.To(Device.Cpu).ToArray<long>();
    }

    /// <summary>Returns when every rank has reached it.</summary>
    public void Barrier() => Collective("barrier", _group.Barrier);

    /// <summary>
    /// Runs a collective of this group; a failure becomes a <see cref="DistributedException"/>
    /// that names this rank and says what the usual cause is.
    /// </summary>
    public void Collective(string what, Action collective)
    {
        try
        {
            collective();
        }
        catch (TorchException e)
        {
            throw new DistributedException(
                $"rank {Rank} of {WorldSize}: the {what} failed ({e.NativeMessage.Trim()}); another rank has most likely stopped or "
                + "become unreachable: see its output", e);
        }
    }

    /// <summary>For the log: e.g. <c>gloo, rank 0 of 2 ...</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Backend}{(_group.Device is { } device ? $" on {device}" : "")}, {Launch}, gradient buckets of {_bucketBytes / 1e6:0.#} MB{(OverlapBackward ? " all-reduced during backward" : "")}");

    /// <summary>Leaves the group.</summary>
    public void Dispose() => _group.Dispose();
}
