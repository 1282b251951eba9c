using PolyGlot.Model.Configuration;

namespace PolyGlot.Training.Planning;

/// <summary>
/// Bytes of one micro-batch's forward pass that live until its backward, read off the model's forward
/// (src/PolyGlot.Model: TransformerBlock, Attention, FeedForward, Norm, the embedding and the loss) and
/// checked against libtorch's count on the CPU (MemoryPlanMeasurementTests). Every tensor the forward
/// creates stays alive until the micro-batch's dispose scope ends, whether or not autograd saved it;
/// autograd adds what it saves inside libtorch's own operations. With u = B·T·C and f = B·T·F
/// elements, a the compute dtype's bytes (4 fp32, 2 bf16), per block:
/// <list type="bullet">
/// <item>float32 residual stream: both norms' outputs, 2 x 4u (RMSNorm keeps two more float32 copies
/// each: 6 x 4u), LayerNorm's mean and rstd (RMSNorm's rstd), and both residual sums, 2 x 4u;</item>
/// <item>with bf16: both norms' outputs cast, 2·a·u, both sub-layers' outputs back in float32, 2 x 4u,
/// and every projection weight and bias cast from its float32 parameter (at every ZeRO stage: ZeRO-3
/// gathers the float32 parameters);</item>
/// <item>attention: q, k and v, a·(u + 2·u_kv); rotary q and k again (<c>llama</c>); key/value heads repeated
/// to H, 2·a·u (grouped-query attention); the output, made contiguous, and projected, 3·a·u;</item>
/// <item>the kernel: the math path (libtorch 1.13, and 2.x where no fused kernel applies) copies q into
/// batched layout (and k and v unless repetition made them contiguous) and keeps the softmax, a·B·H·T²;
/// the fused kernels keep a log-sum-exp per row, 4·B·H·T;</item>
/// <item>the MLP: GELU's input and output (2·a·f) or SwiGLU's gate, silu, up and product (4·a·f), and the
/// output projection, a·u;</item>
/// <item>dropout: each residual dropout's output and mask (float32 on the CPU, a byte on CUDA) and, on the
/// math path, the attention probabilities' mask and dropped copy.</item>
/// </list>
/// Outside the blocks: the embedding (and learned positions' sum), the final norm and its cast, the
/// document mask of packed rows, and the head's bf16 weight. Backward adds, at its peak, one block's
/// working set: the math attention's two (B, H, T, T) gradients and three a·u, or the MLP's gradients.
/// This is Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models",
/// eq. 1) in the tensors and dtypes this model creates. With activation checkpointing only each
/// block's float32 output and the embedding stage are kept; backward then holds the final norm's and
/// the loss's tensors, one recomputed block, its working set and its input's gradient, 4u.
/// </summary>
/// <param name="PerBlock">What one block keeps.</param>
/// <param name="OutsideBlocks">What the embedding stage, final norm, document mask and head cast keep.</param>
/// <param name="EmbeddingStage">Of <paramref name="OutsideBlocks"/>, the embedding stage's (checkpointing keeps it).</param>
/// <param name="BackwardWorkingSet">The largest set of one block's gradients alive at once in backward.</param>
/// <param name="Layers">Blocks (L).</param>
/// <param name="Stream">Bytes of one float32 (B, T, C) tensor of the residual stream.</param>
public sealed record ActivationMemory(long PerBlock, long OutsideBlocks, long EmbeddingStage, long BackwardWorkingSet, int Layers, long Stream)
{
    /// <summary>Kept until backward without checkpointing: every block's tensors and the outer ones.</summary>
    public long Plain => Layers * PerBlock + OutsideBlocks;

    /// <summary>Kept until backward with checkpointing: each block's float32 output and the embedding stage.</summary>
    public long CheckpointedKept => Layers * Stream + EmbeddingStage;

    /// <summary>The activations of one micro-batch of <paramref name="shape"/>.</summary>
    public static ActivationMemory Of(ActivationShape shape)
    {
        var terms = new ActivationTerms(shape);
        return new ActivationMemory(terms.Block(), terms.Outside(), terms.Embedding(), terms.WorkingSet(), shape.Model.NLayers, 4 * shape.U);
    }

    /// <summary>Kept until backward, with checkpointing or without.</summary>
    public long Kept(bool checkpointing) => checkpointing ? CheckpointedKept : Plain;

    /// <summary>
    /// What backward adds to <see cref="Kept"/> at its peak, given the loss's peak <paramref name="loss"/> of
    /// which <paramref name="lossHeld"/> stays until the micro-batch ends, and the buffers of a reduce-scatter
    /// run inside backward, <paramref name="reduction"/> (ZeRO-2 and -3; after a block's gradients, not with
    /// them): without checkpointing the loss or one block's working set; with it, the final norm's tensors
    /// and the loss, or (those tensors and the held part of the loss still alive) one recomputed block with
    /// its working set and its input's gradient.
    /// </summary>
    public long BackwardPeak(bool checkpointing, long loss, long lossHeld, long reduction)
    {
        var block = Math.Max(BackwardWorkingSet, reduction);
        return checkpointing
            ? FinalStage + Math.Max(loss, lossHeld + PerBlock + Stream + block)
            : Math.Max(loss, block);
    }

    /// <summary>The final norm's, document mask's and head cast's tensors: outside the blocks, after the embedding stage.</summary>
    public long FinalStage => OutsideBlocks - EmbeddingStage;
}

/// <summary>What the activations of one micro-batch depend on.</summary>
/// <param name="Model">The model's shape.</param>
/// <param name="MicroBatch">Sequences per micro-batch (B).</param>
/// <param name="SeqLen">Positions per sequence (T).</param>
/// <param name="ComputeBytes">Bytes of the compute dtype: 4 (fp32) or 2 (bf16).</param>
/// <param name="Attention">Which attention kernel runs.</param>
/// <param name="MaskBytes">Bytes per element of a dropout mask: 4 on the CPU, 1 on CUDA.</param>
/// <param name="DocumentMask">Packed documents attend through a (B, 1, T, T) mask (<c>data.document_boundaries</c>).</param>
public sealed record ActivationShape(ModelConfig Model, long MicroBatch, long SeqLen, int ComputeBytes, AttentionKernel Attention,
    int MaskBytes, bool DocumentMask)
{
    /// <summary>Elements of one (B, T, C) tensor.</summary>
    public long U => MicroBatch * SeqLen * Model.DModel;

    /// <summary>Elements of one (B, T, F) tensor.</summary>
    public long F => MicroBatch * SeqLen * Model.FfnHiddenSize;

    /// <summary>Elements of one (B, H, T, T) tensor.</summary>
    public long Scores => MicroBatch * Model.NHeads * SeqLen * SeqLen;

    /// <summary>True when matrix multiplications run in bf16.</summary>
    public bool Reduced => ComputeBytes < 4;
}
