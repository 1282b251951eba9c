using PolyGlot.Torch;

namespace PolyGlot.Model.Parameters;

/// <summary>What a parameter is, so that the optimizer can choose its weight decay without parsing names.</summary>
public enum ParameterKind
{
    /// <summary>A weight used in a matrix multiplication (attention and MLP projections, an untied head).</summary>
    Matrix,

    /// <summary>A lookup table: token or position embeddings (the token table is also the head when tied).</summary>
    Embedding,

    /// <summary>An additive bias.</summary>
    Bias,

    /// <summary>The gain (and, for LayerNorm, shift) of a normalisation.</summary>
    Norm,
}

/// <summary>
/// One trainable tensor of a model with its PolyGlot name (e.g. <c>layers.3.attn.wq.weight</c>).
/// The model owns the tensor: it lives outside every dispose scope until the model is disposed.
/// </summary>
/// <param name="Name">Dotted name, stable across runs; checkpoints and export maps use it.</param>
/// <param name="Tensor">The float32 master copy, with <c>requires_grad</c> set.</param>
/// <param name="Kind">What the parameter is.</param>
public sealed record ModelParameter(string Name, Tensor Tensor, ParameterKind Kind)
{
    /// <summary>The shape of the tensor.</summary>
    public long[] Shape => Tensor.Shape;

    /// <summary>Number of elements.</summary>
    public long NumEl => Tensor.NumEl;
}
