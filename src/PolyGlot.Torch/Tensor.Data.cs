using System.Runtime.InteropServices;
using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    /// <summary>
    /// A new tensor holding a copy of <paramref name="data"/> with the given shape (one copy,
    /// straight from the managed buffer to the device; the buffer may be reused afterwards).
    /// </summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null) where T : unmanaged =>
        FromBytes(MemoryMarshal.AsBytes(data), DTypes.Of<T>(), shape, device);

    /// <summary>
    /// As <see cref="FromSpan{T}"/>, but on a CUDA device the copy goes through page-locked memory
    /// and is queued without waiting for it (the training inputs of a step); elsewhere the same as
    /// <see cref="FromSpan{T}"/>. The buffer may be reused as soon as this returns.
    /// </summary>
    public static unsafe Tensor FromSpanAsync<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device device) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data);
        fixed (byte* source = bytes)
        fixed (long* dims = shape)
        {
            var handle = Native.TensorFromDataAsync(source, bytes.Length, dims, shape.Length, (int)DTypes.Of<T>(), (int)device.Type, device.Index);
            return Native.Wrap(handle, nameof(FromSpanAsync));
        }
    }

    /// <summary>A new tensor holding a copy of <paramref name="data"/>; a 1-D tensor when no shape is given.</summary>
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);

    /// <summary>
    /// A new tensor from raw little-endian element bytes laid out contiguously in row-major order
    /// (e.g. a safetensors payload), for any dtype including bfloat16.
    /// </summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> data, DType dtype, ReadOnlySpan<long> shape, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (byte* source = data)
        fixed (long* dims = shape)
        {
            var handle = Native.TensorFromData(source, data.Length, dims, shape.Length, (int)dtype, (int)d.Type, d.Index);
            return Native.Wrap(handle, nameof(FromBytes));
        }
    }

    /// <summary>Size of the elements in bytes (number of elements times element size).</summary>
    public long ByteCount => NumEl * DType.ElementSize();

    /// <summary>
    /// Copies the elements, in row-major order, into <paramref name="destination"/>, whose length
    /// must equal <see cref="ByteCount"/>. Works for any device and any strides (one copy).
    /// </summary>
    public unsafe void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* p = destination)
            Native.Check(Native.TensorCopyTo(Handle, p, destination.Length), nameof(CopyBytesTo), this);
    }

    /// <summary>The elements as raw little-endian bytes in row-major order.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteCount];
        CopyBytesTo(bytes);
        return bytes;
    }

    /// <summary>Overwrites the elements in place from raw bytes of this tensor's dtype and size.</summary>
    public unsafe void CopyBytesFrom(ReadOnlySpan<byte> source)
    {
        fixed (byte* p = source)
            Native.Check(Native.TensorCopyFrom(Handle, p, source.Length), nameof(CopyBytesFrom), this);
    }

    /// <summary>Copies the elements into <paramref name="destination"/>; <typeparamref name="T"/> must match the dtype.</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        CopyBytesTo(MemoryMarshal.AsBytes(destination));
    }

    /// <summary>The elements as a managed array in row-major order; <typeparamref name="T"/> must match the dtype.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var values = new T[NumEl];
        CopyBytesTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Overwrites the elements in place from <paramref name="source"/>; <typeparamref name="T"/> must match the dtype.</summary>
    public void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        CheckElementType<T>();
        CopyBytesFrom(MemoryMarshal.AsBytes(source));
    }

    /// <summary>The value of a one-element tensor as a double.</summary>
    public unsafe double ToDouble()
    {
        double value;
        Native.Check(Native.TensorItem(Handle, &value), nameof(ToDouble), this);
        return value;
    }

    /// <summary>The value of a one-element tensor as a float.</summary>
    public float ToSingle() => (float)ToDouble();

    /// <summary>The value of a one-element tensor as a long (exact for integer tensors).</summary>
    public unsafe long ToInt64()
    {
        long value;
        Native.Check(Native.TensorItemLong(Handle, &value), nameof(ToInt64), this);
        return value;
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        var expected = DTypes.Of<T>();
        var actual = DType;
        if (expected != actual)
            throw new ArgumentException(
                $"The tensor holds {actual} elements, not {typeof(T).Name} ({expected}); convert with To({expected}) first.");
    }

    /// <summary>Bytes of the storage under this tensor (0 while <see cref="ReleaseStorage"/> holds it freed).</summary>
    public long StorageBytes => Native.TensorStorageNBytes(Handle);

    /// <summary>
    /// Frees the memory of this tensor's storage while the tensor (its shape, autograd identity and
    /// the graphs that saved it) stays: a fully sharded parameter between its uses. Reading the
    /// tensor before <see cref="ReallocateStorage"/> is an error.
    /// </summary>
    public void ReleaseStorage() => Native.Check(Native.TensorStorageResize(Handle, 0), nameof(ReleaseStorage), this);

    /// <summary>
    /// Gives a tensor freed by <see cref="ReleaseStorage"/> memory for all its elements again (their
    /// values undefined until written); graphs that saved the tensor see what is written next.
    /// </summary>
    public void ReallocateStorage() =>
        Native.Check(Native.TensorStorageResize(Handle, NumEl * DType.ElementSize()), nameof(ReallocateStorage), this);

    /// <summary>
    /// The same elements under a new tensor with its own version counter and no autograd history
    /// (Python's <c>tensor.data</c>): writing through it does not make graphs that saved this tensor
    /// refuse their backward. For refilling a parameter freed by <see cref="ReleaseStorage"/>.
    /// </summary>
    public Tensor UntrackedAlias() => Native.Wrap(Native.TensorUntrackedAlias(Handle), nameof(UntrackedAlias));
}
