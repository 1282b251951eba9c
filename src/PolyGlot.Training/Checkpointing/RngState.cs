namespace PolyGlot.Training.Checkpointing;

/// <summary>Random number generator state, saved as <c>rng.json</c> (byte arrays as base64).</summary>
public sealed class RngState
{
    /// <summary>The run's seed.</summary>
    public long Seed { get; set; }

    /// <summary>libtorch's CPU generator state (as <c>torch.get_rng_state()</c>).</summary>
    public byte[] TorchCpu { get; set; } = [];

    /// <summary>libtorch's CUDA generator state per device (empty on CPU).</summary>
    public List<byte[]> TorchCuda { get; set; } = [];
}
