namespace PolyGlot.Training.Planning;

/// <summary>What scaled-dot-product attention keeps for backward, by the kind of kernel that runs.</summary>
public enum AttentionKernel
{
    /// <summary>
    /// softmax(q kᵀ / sqrt(D)) v as separate operations (libtorch 1.13, and 2.x where no fused kernel applies):
    /// the (B, H, T, T) probabilities are kept.
    /// </summary>
    Math,

    /// <summary>Flash or memory-efficient attention (CUDA, the CPU from libtorch 2.2): the output and a log-sum-exp per row are kept.</summary>
    Fused,
}
