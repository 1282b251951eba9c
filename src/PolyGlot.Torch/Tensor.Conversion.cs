using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    /// <summary>This tensor with another dtype (this tensor itself, aliased, when it already has it).</summary>
    public Tensor To(DType dtype) => To(dtype, Device);

    /// <summary>This tensor on another device.</summary>
    public Tensor To(Device device) => To(DType, device);

    /// <summary>This tensor with another dtype on another device, in one conversion.</summary>
    public Tensor To(DType dtype, Device device, bool nonBlocking = false) =>
        Native.Wrap(Native.TensorTo(Handle, (int)dtype, (int)device.Type, device.Index, nonBlocking ? 1 : 0, 0), nameof(To), this);

    /// <summary>A copy on the CPU (an alias when already there).</summary>
    public Tensor Cpu() => To(Device.Cpu);

    /// <summary>A copy on CUDA device <paramref name="index"/>.</summary>
    public Tensor Cuda(int index = 0) => To(Device.Cuda(index));

    /// <summary>A copy with its own storage (recorded by autograd).</summary>
    public Tensor Clone() => Native.Wrap(Native.TensorClone(Handle), nameof(Clone), this);

    /// <summary>Matrix product with PyTorch's broadcasting rules for batched operands.</summary>
    public Tensor MatMul(Tensor other) => Native.Wrap(Native.MatMul(Handle, other.Handle), nameof(MatMul), this, other);
}
