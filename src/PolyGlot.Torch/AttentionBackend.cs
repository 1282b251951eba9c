namespace PolyGlot.Torch;

/// <summary>
/// The kernels scaled-dot-product attention can run on; the values are libtorch's
/// <c>sdp::SDPBackend</c> codes (<see cref="Functional.ScaledDotProductAttentionBackend"/>).
/// </summary>
public enum AttentionBackend
{
    /// <summary>softmax(q kᵀ / sqrt(D) + mask) v as separate operations (libtorch 1.13, and 2.x where no fused kernel applies).</summary>
    Math = 0,

    /// <summary>FlashAttention: one fused, tiled kernel (CPU from 2.2, CUDA).</summary>
    Flash = 1,

    /// <summary>The memory-efficient fused kernel (CUDA).</summary>
    MemoryEfficient = 2,

    /// <summary>cuDNN's fused attention (CUDA, 2.5 on).</summary>
    Cudnn = 3,

    /// <summary>A backend libtorch names that this enum does not (e.g. one registered out of tree).</summary>
    Other = 4,
}
