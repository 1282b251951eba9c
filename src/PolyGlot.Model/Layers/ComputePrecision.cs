using PolyGlot.Torch;

namespace PolyGlot.Model.Layers;

/// <summary>
/// Where a forward pass runs in reduced precision. Parameters and the residual stream stay in
/// float32; with bfloat16 compute, each matrix multiplication casts its input and weights to
/// bfloat16 (what autocast does), normalisations and the loss run in float32, and each sub-layer's
/// output returns to float32 before it joins the residual stream (PolyLM: bf16 with fp32
/// residual and softmax). Gradients flow back through the casts into the float32 master weights.
/// </summary>
public sealed class ComputePrecision
{
    private ComputePrecision(DType dtype) => DType = dtype;

    /// <summary>Everything in float32.</summary>
    public static ComputePrecision Float32 { get; } = new(DType.Float32);

    /// <summary>bfloat16 matrix multiplications, float32 residual stream, norms and loss.</summary>
    public static ComputePrecision BFloat16 { get; } = new(DType.BFloat16);

    /// <summary>The dtype of matrix multiplications.</summary>
    public DType DType { get; }

    /// <summary>True when matrix multiplications run below float32.</summary>
    public bool IsReduced => DType != DType.Float32;

    /// <summary><paramref name="tensor"/> in the compute dtype (itself when it already is).</summary>
    public Tensor ToCompute(Tensor tensor) => IsReduced && tensor.DType != DType ? tensor.To(DType) : tensor;

    /// <summary><paramref name="tensor"/> in float32 (itself when it already is).</summary>
    public Tensor ToFloat32(Tensor tensor) => IsReduced && tensor.DType != DType.Float32 ? tensor.To(DType.Float32) : tensor;

    /// <summary>The precision named by a run config's <c>precision.compute</c> (<c>fp32</c> or <c>bf16</c>).</summary>
    public static ComputePrecision Parse(string name) => name switch
    {
        "fp32" => Float32,
        "bf16" => BFloat16,
        _ => throw new ArgumentException($"Unknown compute precision '{name}'; expected fp32 or bf16.", nameof(name)),
    };
}
