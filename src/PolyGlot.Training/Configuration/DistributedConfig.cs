using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// The <c>training.distributed:</c> section, used when the run is launched on several processes
/// (<c>polyglot launch</c>, torchrun or SLURM; docs/distributed.md).
/// </summary>
public sealed class DistributedConfig : IValidatedConfig
{
    /// <summary>The collective backends this build knows.</summary>
    public static readonly string[] Backends = ["auto", "gloo", "nccl"];

    /// <summary><c>auto</c> (NCCL on CUDA, Gloo on CPU), <c>gloo</c> or <c>nccl</c>.</summary>
    public string Backend { get; set; } = "auto";

    /// <summary>Gradient all-reduce bucket size in MB (10^6 bytes); larger buckets mean fewer, bigger collectives.</summary>
    public double BucketMb { get; set; } = 25;

    /// <summary>
    /// Start each bucket's all-reduce during backward, as soon as its gradients are final (plain data
    /// parallelism; ZeRO-1 reduce-scatters after backward). false: all buckets after backward.
    /// </summary>
    public bool OverlapBackward { get; set; } = true;

    /// <summary>
    /// The ZeRO stage: 0, every rank keeps whole parameters, gradients and AdamW state; 1, each rank
    /// keeps 1/N of the AdamW state; 2, of the gradients too; 3, of the parameters too (each unit
    /// gathered for its forward and backward only). docs/distributed.md gives the memory of each.
    /// </summary>
    public int Zero { get; set; }

    /// <summary>Seconds a rank waits for the rendezvous or a collective before it gives up with an error.</summary>
    public int TimeoutS { get; set; } = 300;

    /// <summary>The bucket size in bytes.</summary>
    public long BucketBytes => (long)(BucketMb * 1e6);

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireOneOf(Backend, Backends, ConfigPath.Join(path, "backend"));
        errors.Require(BucketMb > 0, ConfigPath.Join(path, "bucket_mb"), BucketMb, "must be positive (MB per gradient all-reduce bucket)");
        errors.Require(Zero is >= 0 and <= 3, ConfigPath.Join(path, "zero"), Zero,
            "must be 0 (plain data parallel), 1 (optimizer state sharded over ranks), 2 (gradients too) or 3 (parameters too)");
        errors.RequirePositive(TimeoutS, ConfigPath.Join(path, "timeout_s"));
    }
}
