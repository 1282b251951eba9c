using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// The <c>training:</c> section: the device, the micro-batch one rank runs per forward/backward,
/// and the seed of initialisation. The global batch itself is <c>data.global_batch_size</c>
/// sequences of <c>data.seq_len</c> tokens; gradient accumulation follows (see <see cref="BatchGeometry"/>).
/// </summary>
public sealed class TrainingConfig : IValidatedConfig
{
    /// <summary><c>auto</c> (CUDA when available), <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Sequences per forward/backward pass on one rank.</summary>
    public int MicroBatchSize { get; set; } = 1;

    /// <summary>Seed of weight initialisation and dropout (the data order has <c>data.seed</c>).</summary>
    public long Seed { get; set; } = 1234;

    /// <summary>
    /// Positions per chunk of the loss: the LM head and cross-entropy run that many positions at a
    /// time, so that float32 logits of all positions x vocabulary never exist at once (what lets a
    /// 256K vocabulary fit); 0 computes them in one piece.
    /// </summary>
    public int LossChunkTokens { get; set; }

    /// <summary>
    /// Recompute each transformer block in backward instead of keeping its activations: memory
    /// for about one more forward pass of compute; gradients unchanged.
    /// </summary>
    public bool ActivationCheckpointing { get; set; }

    /// <summary>Multi-process settings: backend, gradient buckets, ZeRO stage, timeouts.</summary>
    public DistributedConfig Distributed { get; set; } = new();

    /// <summary>
    /// Peak TFLOP/s of one device at the run's precision, the denominator of MFU; unset, the
    /// table in <see cref="Metrics.DevicePeakFlops"/> decides (no MFU for a GPU it does not know).
    /// </summary>
    public double? PeakTflops { get; set; }

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        if (PeakTflops is { } peak)
            errors.RequirePositive(peak, ConfigPath.Join(path, "peak_tflops"));
        errors.RequireOneOf(Device, ["auto", "cpu", "cuda"], ConfigPath.Join(path, "device"));
        errors.RequirePositive(MicroBatchSize, ConfigPath.Join(path, "micro_batch_size"));
        errors.RequireNonNegative(Seed, ConfigPath.Join(path, "seed"));
        errors.Require(LossChunkTokens >= 0, ConfigPath.Join(path, "loss_chunk_tokens"), LossChunkTokens,
            "must be 0 (no chunking) or a positive number of positions");
        Distributed.Validate(errors, ConfigPath.Join(path, "distributed"));
    }
}
