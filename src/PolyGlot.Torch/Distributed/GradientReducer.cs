using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch.Distributed;

/// <summary>
/// Averages gradients over the ranks of a <see cref="ProcessGroup"/> while backward still runs:
/// after <see cref="Arm"/>, each bucket's all-reduce starts as soon as every parameter in it has
/// its gradient (a hook on gradient accumulation), so the transfer of the last layers' gradients
/// overlaps the backward of the first. Buckets start in bucket order on every rank. A parameter
/// whose gradient accumulates a different number of times than in the step before (a weight used
/// twice, backward run in several calls) gets its bucket reduced again after backward, so the
/// result never depends on timing. The averaged gradients equal
/// <see cref="ProcessGroup.AllReduceGradients"/>'s.
/// </summary>
public sealed unsafe class GradientReducer : IDisposable
{
    // The native reducer holds its own references to the group and the parameters' tensors.
    private nint _handle;

    /// <summary>
    /// Hooks the gradient accumulation of <paramref name="parameters"/> (leaf tensors that require
    /// grad), bucketed in the order given into buckets of about <paramref name="bucketBytes"/>: pass
    /// the parameters whose gradients are final first (the last layers). The averaged gradient is
    /// the sum over ranks times <paramref name="scale"/>.
    /// </summary>
    /// <exception cref="TorchException">A parameter is not a leaf that requires grad, or the bucket size is not positive.</exception>
    public GradientReducer(ProcessGroup group, IReadOnlyList<Tensor> parameters, long bucketBytes, double scale)
    {
        var handles = ProcessGroup.Handles(parameters);
        fixed (nint* h = handles)
            _handle = Native.GradReducerCreate(group.Handle, h, handles.Length, bucketBytes, scale);
        if (_handle == 0)
            Native.Check(-1, "GradientReducer");
        BucketCount = (int)Native.GradReducerBuckets(_handle);
        GC.KeepAlive(group);
        GC.KeepAlive(parameters);
    }

    /// <summary>Gradient buckets (fixed when the reducer is made).</summary>
    public int BucketCount { get; }

    /// <summary>Buckets started while the last backward ran (the overlap achieved).</summary>
    public long StartedInBackward { get; private set; }

    /// <summary>Buckets reduced again after the last backward because accumulation counts changed.</summary>
    public long ReducedAgain { get; private set; }

    /// <summary>
    /// Call before the backward that makes this step's gradients final (the last micro-batch's); what
    /// an interrupted earlier step left (a backward or collective that threw) is dropped.
    /// </summary>
    public void Arm() => Native.Check(Native.GradReducerArm(Handle), nameof(Arm));

    /// <summary>
    /// Call after that backward: starts the buckets not started yet (a parameter without a gradient
    /// counts as zeros), waits for every all-reduce and writes the averaged gradients.
    /// </summary>
    /// <exception cref="TorchException">A collective failed (a rank gone, a timeout), or <see cref="Arm"/> was not called.</exception>
    public void Finish()
    {
        long started, again;
        Native.Check(Native.GradReducerFinish(Handle, &started, &again), nameof(Finish));
        (StartedInBackward, ReducedAgain) = (started, again);
    }

    /// <summary>Removes the reducer; its hooks stay on the parameters but do nothing.</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
            Native.GradReducerFree(handle);
    }

    private nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(GradientReducer));
}
