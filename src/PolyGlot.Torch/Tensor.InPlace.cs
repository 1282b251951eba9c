using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    private Tensor InPlace(BinaryOp op, Tensor other)
    {
        Native.Check(Native.BinaryInPlace(op, Handle, other.Handle), op, this, other);
        return this;
    }

    private Tensor InPlace(BinaryOp op, double scalar)
    {
        Native.Check(Native.BinaryScalarInPlace(op, Handle, scalar, 0), op, this);
        return this;
    }

    /// <summary>
    /// Adds the slices of <paramref name="source"/> along <paramref name="dim"/> into this tensor at
    /// the positions <paramref name="index"/> (int64) names, in place (<c>index_add_</c>); e.g. token
    /// losses into sums per language without leaving the device.
    /// </summary>
    public Tensor IndexAddInPlace(long dim, Tensor index, Tensor source)
    {
        Native.Check(Native.TensorIndexAdd(Handle, dim, index.Handle, source.Handle), nameof(IndexAddInPlace), this, index);
        GC.KeepAlive(source);
        return this;
    }

    /// <summary>this += other, in place; returns this tensor.</summary>
    public Tensor AddInPlace(Tensor other) => InPlace(BinaryOp.Add, other);

    /// <summary>this += scalar, in place.</summary>
    public Tensor AddInPlace(double scalar) => InPlace(BinaryOp.Add, scalar);

    /// <summary>this -= other, in place.</summary>
    public Tensor SubInPlace(Tensor other) => InPlace(BinaryOp.Sub, other);

    /// <summary>this *= other, in place.</summary>
    public Tensor MulInPlace(Tensor other) => InPlace(BinaryOp.Mul, other);

    /// <summary>this *= scalar, in place.</summary>
    public Tensor MulInPlace(double scalar) => InPlace(BinaryOp.Mul, scalar);

    /// <summary>this /= other, in place.</summary>
    public Tensor DivInPlace(Tensor other) => InPlace(BinaryOp.Div, other);

    /// <summary>this /= scalar, in place.</summary>
    public Tensor DivInPlace(double scalar) => InPlace(BinaryOp.Div, scalar);

    /// <summary>Sets every element to <paramref name="value"/>; returns this tensor.</summary>
    public Tensor Fill(double value)
    {
        Native.Check(Native.Fill(Handle, value, DType.IsFloatingPoint() ? 0 : 1), nameof(Fill), this);
        return this;
    }

    /// <summary>Sets every element to zero.</summary>
    public Tensor Zero() => Fill(0);

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (broadcasting, converting dtype and device).</summary>
    public Tensor CopyFrom(Tensor source)
    {
        Native.Check(Native.Copy(Handle, source.Handle), nameof(CopyFrom), this, source);
        return this;
    }

    /// <summary>Refills with samples of N(<paramref name="mean"/>, <paramref name="std"/>²) (PyTorch's <c>normal_</c>).</summary>
    public Tensor NormalInPlace(double mean = 0, double std = 1)
    {
        Native.Check(Native.Normal(Handle, mean, std), nameof(NormalInPlace), this);
        return this;
    }

    /// <summary>Refills with samples of U[<paramref name="low"/>, <paramref name="high"/>) (PyTorch's <c>uniform_</c>).</summary>
    public Tensor UniformInPlace(double low = 0, double high = 1)
    {
        Native.Check(Native.Uniform(Handle, low, high), nameof(UniformInPlace), this);
        return this;
    }
}
