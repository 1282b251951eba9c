using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(Creation.Zeros, shape, 0, dtype, device, requiresGrad, nameof(Zeros));

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(Creation.Ones, shape, 0, dtype, device, requiresGrad, nameof(Ones));

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(Creation.Full, shape, value, dtype, device, requiresGrad, nameof(Full));

    /// <summary>An uninitialised tensor (contents are arbitrary).</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(Creation.Empty, shape, 0, dtype, device, requiresGrad, nameof(Empty));

    /// <summary>Samples of the standard normal distribution (from the device's default generator).</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(Creation.Randn, shape, 0, dtype, device, requiresGrad, nameof(Randn));

    /// <summary>Samples of the uniform distribution on [0, 1).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Create(Creation.Rand, shape, 0, dtype, device, requiresGrad, nameof(Rand));

    /// <summary>Uniformly random integers in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static unsafe Tensor RandInt(long low, long high, ReadOnlySpan<long> shape, DType dtype = DType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* p = shape)
            return Native.Wrap(Native.TensorRandInt(low, high, p, shape.Length, (int)dtype, (int)d.Type, d.Index), nameof(RandInt));
    }

    /// <summary>Values start, start + step, ... below end (PyTorch's <c>arange</c>).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Native.Wrap(Native.TensorArange(start, end, step, (int)dtype, (int)d.Type, d.Index), nameof(Arange));
    }

    /// <summary>Values 0, 1, ..., end - 1.</summary>
    public static Tensor Arange(long end, DType dtype = DType.Int64, Device? device = null) => Arange(0, end, 1, dtype, device);

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) =>
        Full(ReadOnlySpan<long>.Empty, value, dtype, device);

    /// <summary>Zeros with this tensor's shape, dtype and device.</summary>
    public Tensor ZerosLike() => Native.Wrap(Native.TensorCreateLike(Creation.Zeros, Handle, 0), nameof(ZerosLike));

    /// <summary>Ones with this tensor's shape, dtype and device.</summary>
    public Tensor OnesLike() => Native.Wrap(Native.TensorCreateLike(Creation.Ones, Handle, 0), nameof(OnesLike));

    /// <summary><paramref name="value"/> with this tensor's shape, dtype and device.</summary>
    public Tensor FullLike(double value) => Native.Wrap(Native.TensorCreateLike(Creation.Full, Handle, value), nameof(FullLike));

    /// <summary>Standard normal samples with this tensor's shape, dtype and device.</summary>
    public Tensor RandnLike() => Native.Wrap(Native.TensorCreateLike(Creation.Randn, Handle, 0), nameof(RandnLike));

    private static unsafe Tensor Create(Creation kind, ReadOnlySpan<long> shape, double value, DType dtype, Device? device,
        bool requiresGrad, string operation)
    {
        var d = device ?? Device.Cpu;
        fixed (long* p = shape)
        {
            var handle = Native.TensorCreate(kind, p, shape.Length, value, (int)dtype, (int)d.Type, d.Index, requiresGrad ? 1 : 0);
            return Native.Wrap(handle, operation);
        }
    }
}
