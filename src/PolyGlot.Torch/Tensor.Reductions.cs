using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    private unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepDim)
    {
        fixed (long* p = dims)
            return Native.Wrap(Native.Reduce(op, Handle, p, dims.Length, keepDim ? 1 : 0), op, this);
    }

    /// <summary>Sum of all elements (0-dimensional).</summary>
    public Tensor Sum() => Reduce(ReduceOp.Sum, default, false);

    /// <summary>Sum over <paramref name="dim"/>.</summary>
    public Tensor Sum(long dim, bool keepDim = false) => Reduce(ReduceOp.Sum, [dim], keepDim);

    /// <summary>Sum over several dimensions.</summary>
    public Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);

    /// <summary>Mean of all elements (0-dimensional).</summary>
    public Tensor Mean() => Reduce(ReduceOp.Mean, default, false);

    /// <summary>Mean over <paramref name="dim"/>.</summary>
    public Tensor Mean(long dim, bool keepDim = false) => Reduce(ReduceOp.Mean, [dim], keepDim);

    /// <summary>Mean over several dimensions.</summary>
    public Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);

    /// <summary>Product of all elements.</summary>
    public Tensor Prod() => Reduce(ReduceOp.Prod, default, false);

    /// <summary>Largest element (0-dimensional).</summary>
    public Tensor Max() => Reduce(ReduceOp.Amax, default, false);

    /// <summary>Smallest element (0-dimensional).</summary>
    public Tensor Min() => Reduce(ReduceOp.Amin, default, false);

    /// <summary>Largest values over <paramref name="dim"/> (PyTorch's <c>amax</c>; no indices).</summary>
    public Tensor Amax(long dim, bool keepDim = false) => Reduce(ReduceOp.Amax, [dim], keepDim);

    /// <summary>Smallest values over <paramref name="dim"/> (PyTorch's <c>amin</c>).</summary>
    public Tensor Amin(long dim, bool keepDim = false) => Reduce(ReduceOp.Amin, [dim], keepDim);

    /// <summary>Largest values along <paramref name="dim"/> and their indices.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) => Extreme(dim, keepDim, minimum: false);

    /// <summary>Smallest values along <paramref name="dim"/> and their indices.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) => Extreme(dim, keepDim, minimum: true);

    /// <summary>Index of the largest element along <paramref name="dim"/>, or in the flattened tensor when null.</summary>
    public Tensor ArgMax(long? dim = null, bool keepDim = false) =>
        Native.Wrap(Native.ArgMax(Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepDim ? 1 : 0, 0), nameof(ArgMax), this);

    /// <summary>Index of the smallest element along <paramref name="dim"/>, or in the flattened tensor when null.</summary>
    public Tensor ArgMin(long? dim = null, bool keepDim = false) =>
        Native.Wrap(Native.ArgMax(Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepDim ? 1 : 0, 1), nameof(ArgMin), this);

    private unsafe (Tensor, Tensor) Extreme(long dim, bool keepDim, bool minimum)
    {
        nint values, indices;
        Native.Check(Native.MaxDim(Handle, dim, keepDim ? 1 : 0, minimum ? 1 : 0, &values, &indices), minimum ? nameof(Min) : nameof(Max), this);
        return (new Tensor(values), new Tensor(indices));
    }
}
