using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

/// <summary>How a loss combines its per-element values (values are libtorch's <c>at::Reduction</c>).</summary>
public enum Reduction
{
    /// <summary>One loss per element.</summary>
    None = 0,

    /// <summary>The mean over the elements that count (ignored targets excluded).</summary>
    Mean = 1,

    /// <summary>The sum.</summary>
    Sum = 2,
}

/// <summary>Neural-network functions, like PyTorch's <c>torch.nn.functional</c>; all differentiable.</summary>
public static class Functional
{
    /// <summary>x Wᵀ + b with W of shape (out, in); <paramref name="bias"/> may be null.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Native.Wrap(Native.Linear(input.Handle, weight.Handle, bias?.Handle ?? 0), nameof(Linear));

    /// <summary>Rows of <paramref name="weight"/> (vocab, dim) picked by integer <paramref name="indices"/>; rows at <paramref name="paddingIndex"/> get no gradient.</summary>
    public static Tensor Embedding(Tensor weight, Tensor indices, long paddingIndex = -1) =>
        Native.Wrap(Native.Embedding(weight.Handle, indices.Handle, paddingIndex), nameof(Embedding));

    /// <summary>Softmax along <paramref name="dim"/>, computed in <paramref name="dtype"/> when given (e.g. float32 for bf16 inputs).</summary>
    public static Tensor Softmax(Tensor input, long dim, DType? dtype = null) =>
        Native.Wrap(Native.Softmax(input.Handle, dim, dtype.HasValue ? (int)dtype.Value : -1, 0), nameof(Softmax));

    /// <summary>log(softmax(x)) along <paramref name="dim"/>, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor input, long dim, DType? dtype = null) =>
        Native.Wrap(Native.Softmax(input.Handle, dim, dtype.HasValue ? (int)dtype.Value : -1, 1), nameof(LogSoftmax));

    /// <summary>Layer normalisation over the last dimension (its size taken from <paramref name="weight"/> or the input).</summary>
    public static Tensor LayerNorm(Tensor input, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        LayerNorm(input, [weight?.Size(-1) ?? input.Size(-1)], weight, bias, eps);

    /// <summary>Layer normalisation over the trailing dimensions <paramref name="normalizedShape"/>.</summary>
    public static unsafe Tensor LayerNorm(Tensor input, ReadOnlySpan<long> normalizedShape, Tensor? weight, Tensor? bias, double eps = 1e-5)
    {
        fixed (long* p = normalizedShape)
            return Native.Wrap(Native.LayerNorm(input.Handle, p, normalizedShape.Length, weight?.Handle ?? 0, bias?.Handle ?? 0, eps), nameof(LayerNorm));
    }

    /// <summary>RMS normalisation over the last dimension, computed in float32 and scaled by <paramref name="weight"/> (Llama's RMSNorm).</summary>
    public static Tensor RmsNorm(Tensor input, Tensor? weight = null, double eps = 1e-6) =>
        Native.Wrap(Native.RmsNorm(input.Handle, weight?.Handle ?? 0, eps), nameof(RmsNorm));

    /// <summary>GELU, exact or with the tanh approximation (GPT-2's <c>gelu_new</c>).</summary>
    public static Tensor Gelu(Tensor input, bool approximateTanh = false) => input.Gelu(approximateTanh);

    /// <summary>SiLU (swish): x * sigmoid(x).</summary>
    public static Tensor Silu(Tensor input) => input.Silu();

    /// <summary>
    /// softmax(q kᵀ / sqrt(D) + mask) v over (B, H, T, D) tensors; causal masks future positions.
    /// libtorch 2.x runs the fused SDPA kernels, 1.13 its math implementation. For grouped-query
    /// attention repeat K and V heads first (<see cref="Tensor.RepeatInterleave"/>).
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? mask = null,
        double dropout = 0, bool isCausal = false) =>
        Native.Wrap(Native.Attention(query.Handle, key.Handle, value.Handle, mask?.Handle ?? 0, dropout, isCausal ? 1 : 0),
            nameof(ScaledDotProductAttention));

    /// <summary>
    /// The kernel <see cref="ScaledDotProductAttention"/> runs for these arguments, as libtorch's
    /// dispatcher chooses it: on 2.x the fused kernels where they apply (flash attention on the CPU
    /// from 2.2, flash or memory-efficient on GPUs), <see cref="AttentionBackend.Math"/> otherwise
    /// and always on 1.13.
    /// </summary>
    public static unsafe AttentionBackend ScaledDotProductAttentionBackend(Tensor query, Tensor key, Tensor value,
        Tensor? mask = null, double dropout = 0, bool isCausal = false)
    {
        int backend;
        Native.Check(Native.AttentionBackend(query.Handle, key.Handle, value.Handle, mask?.Handle ?? 0, dropout,
            isCausal ? 1 : 0, &backend), nameof(ScaledDotProductAttentionBackend));
        GC.KeepAlive(query);
        GC.KeepAlive(key);
        GC.KeepAlive(value);
        GC.KeepAlive(mask);
        return Enum.IsDefined((AttentionBackend)backend) ? (AttentionBackend)backend : AttentionBackend.Other;
    }

    /// <summary>
    /// Cross-entropy of <paramref name="logits"/> (N, C) against class indices <paramref name="targets"/> (N);
    /// targets equal to <paramref name="ignoreIndex"/> contribute nothing and do not count in the mean.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets, long ignoreIndex = -100, Reduction reduction = Reduction.Mean,
        double labelSmoothing = 0, Tensor? classWeights = null) =>
        Native.Wrap(Native.CrossEntropy(logits.Handle, targets.Handle, classWeights?.Handle ?? 0, (int)reduction, ignoreIndex, labelSmoothing),
            nameof(CrossEntropy));

    /// <summary>
    /// Cross-entropy of the logits <c>hidden Wᵀ</c> (<paramref name="hidden"/> (N, C), <paramref name="weight"/> (V, C),
    /// both in the compute dtype) against <paramref name="targets"/> (N), without holding all N x V float32 logits:
    /// the logits are computed in float32 <paramref name="chunkPositions"/> rows at a time, and backward recomputes
    /// each chunk's logits instead of keeping them. Equals <c>CrossEntropy(Linear(hidden, weight).To(Float32), ...)</c>
    /// up to float rounding; the extra cost is one (N, C) x (C, V) matmul in backward. Per-position losses are float32,
    /// 0 where the target is <paramref name="ignoreIndex"/>. Differentiable once (no double backward).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkPositions"/> is below 1.</exception>
    /// <exception cref="TorchException">Shapes or dtypes do not fit (the message names them), or a target is out of range.</exception>
    public static Tensor ChunkedCrossEntropy(Tensor hidden, Tensor weight, Tensor targets, long ignoreIndex = -100,
        long chunkPositions = 1024, Reduction reduction = Reduction.Mean)
    {
        if (chunkPositions < 1)
            throw new ArgumentOutOfRangeException(nameof(chunkPositions), chunkPositions, "A chunk must hold at least one position.");
        var losses = Native.Wrap(Native.ChunkedCrossEntropy(hidden.Handle, weight.Handle, targets.Handle, ignoreIndex, chunkPositions),
            nameof(ChunkedCrossEntropy));  // (N)
        return reduction switch
        {
            Reduction.None => losses,
            Reduction.Sum => losses.Sum(),
            // As CrossEntropy: the mean over counted positions (NaN when none counts).
            _ => losses.Sum() / targets.Ne(ignoreIndex).Sum(),
        };
    }

    /// <summary>Zeroes elements with probability <paramref name="p"/> and scales the rest by 1/(1-p) when training; identity otherwise.</summary>
    public static Tensor Dropout(Tensor input, double p, bool training) =>
        Native.Wrap(Native.Dropout(input.Handle, p, training ? 1 : 0), nameof(Dropout));

    /// <summary>Rotary position embedding: x cos + rotate_half(x) sin, cos/sin broadcast against x (…, T, D).</summary>
    public static Tensor ApplyRotary(Tensor input, Tensor cos, Tensor sin) =>
        Native.Wrap(Native.ApplyRotary(input.Handle, cos.Handle, sin.Handle), nameof(ApplyRotary));

    /// <summary>
    /// Rotary cos and sin tables of shape (positions, headDim): angle(t, i) = t · theta^(-2i/headDim),
    /// the frequencies repeated over both halves (the GPT-NeoX / Llama layout).
    /// </summary>
    public static unsafe (Tensor Cos, Tensor Sin) RotaryTables(long positions, long headDim, double theta = 10000,
        DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        nint cos, sin;
        Native.Check(Native.RotaryTables(positions, headDim, theta, (int)dtype, (int)d.Type, d.Index, &cos, &sin), nameof(RotaryTables));
        return (new Tensor(cos), new Tensor(sin));
    }
}
