using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>c10d process groups and collectives (pg_distributed.cpp, pg_grad_reducer.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_dist_init", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint DistInit(string backend, string host, int port, int rank, int world, long timeoutMs,
        string glooInterfaces, string glooAddress, string label);

    [LibraryImport(Library, EntryPoint = "pg_dist_free")]
    public static partial void DistFree(nint group);

    [LibraryImport(Library, EntryPoint = "pg_dist_all_reduce")]
    public static partial int DistAllReduce(nint group, nint* tensors, long count, int op, double scale);

    [LibraryImport(Library, EntryPoint = "pg_dist_all_reduce_grads")]
    public static partial int DistAllReduceGrads(nint group, nint* parameters, long count, long bucketBytes, double scale);

    [LibraryImport(Library, EntryPoint = "pg_dist_broadcast")]
    public static partial int DistBroadcast(nint group, nint* tensors, long count, int root);

    [LibraryImport(Library, EntryPoint = "pg_dist_all_gather")]
    public static partial int DistAllGather(nint group, nint output, nint input);

    [LibraryImport(Library, EntryPoint = "pg_dist_reduce_scatter")]
    public static partial int DistReduceScatter(nint group, nint output, nint input, double scale);

    [LibraryImport(Library, EntryPoint = "pg_dist_barrier")]
    public static partial int DistBarrier(nint group);

    [LibraryImport(Library, EntryPoint = "pg_grad_reducer_create")]
    public static partial nint GradReducerCreate(nint group, nint* parameters, long count, long bucketBytes, double scale);

    [LibraryImport(Library, EntryPoint = "pg_grad_reducer_free")]
    public static partial void GradReducerFree(nint reducer);

    [LibraryImport(Library, EntryPoint = "pg_grad_reducer_arm")]
    public static partial int GradReducerArm(nint reducer);

    [LibraryImport(Library, EntryPoint = "pg_grad_reducer_buckets")]
    public static partial long GradReducerBuckets(nint reducer);

    [LibraryImport(Library, EntryPoint = "pg_grad_reducer_finish")]
    public static partial int GradReducerFinish(nint reducer, long* startedInBackward, long* reducedAgain);
}
