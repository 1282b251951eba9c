using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    /// <summary>A view with another shape (no copy; -1 infers one size). Needs compatible strides.</summary>
    public unsafe Tensor View(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape)
            return Native.Wrap(Native.View(Handle, p, shape.Length), nameof(View), this);
    }

    /// <summary>Another shape: a view when the strides allow, otherwise a copy.</summary>
    public unsafe Tensor Reshape(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape)
            return Native.Wrap(Native.Reshape(Handle, p, shape.Length), nameof(Reshape), this);
    }

    /// <summary>Broadcasts size-1 dimensions to <paramref name="shape"/> without copying (-1 keeps a size).</summary>
    public unsafe Tensor Expand(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape)
            return Native.Wrap(Native.Expand(Handle, p, shape.Length), nameof(Expand), this);
    }

    /// <summary>Tiles the tensor <paramref name="repeats"/>[i] times along dimension i (a copy).</summary>
    public unsafe Tensor Repeat(params ReadOnlySpan<long> repeats)
    {
        fixed (long* p = repeats)
            return Native.Wrap(Native.Repeat(Handle, p, repeats.Length), nameof(Repeat), this);
    }

    /// <summary>Repeats each slice along <paramref name="dim"/> <paramref name="repeats"/> times in place (e.g. K/V heads for grouped-query attention).</summary>
    public Tensor RepeatInterleave(long repeats, long dim) =>
        Native.Wrap(Native.RepeatInterleave(Handle, repeats, dim), nameof(RepeatInterleave), this);

    /// <summary>Reorders the dimensions (a view).</summary>
    public unsafe Tensor Permute(params ReadOnlySpan<long> dims)
    {
        fixed (long* p = dims)
            return Native.Wrap(Native.Permute(Handle, p, dims.Length), nameof(Permute), this);
    }

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(long dim0, long dim1) => Native.Wrap(Native.Transpose(Handle, dim0, dim1), nameof(Transpose), this);

    /// <summary><paramref name="length"/> elements of <paramref name="dim"/> starting at <paramref name="start"/> (a view).</summary>
    public Tensor Narrow(long dim, long start, long length) => Native.Wrap(Native.Narrow(Handle, dim, start, length), nameof(Narrow), this);

    /// <summary>Elements start, start + step, ... below end along <paramref name="dim"/> (a view; bounds are clipped as in Python).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) =>
        Native.Wrap(Native.Slice(Handle, dim, start, end, step), nameof(Slice), this);

    /// <summary>The slice at <paramref name="index"/> of <paramref name="dim"/>, which disappears (a view).</summary>
    public Tensor Select(long dim, long index) => Native.Wrap(Native.Select(Handle, dim, index), nameof(Select), this);

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(long dim) => Native.Wrap(Native.Unsqueeze(Handle, dim), nameof(Unsqueeze), this);

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1, or every size-1 dimension when null.</summary>
    public Tensor Squeeze(long? dim = null) => Native.Wrap(Native.Squeeze(Handle, dim ?? 0, dim.HasValue ? 1 : 0), nameof(Squeeze), this);

    /// <summary>Merges dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Native.Wrap(Native.Flatten(Handle, startDim, endDim), nameof(Flatten), this);

    /// <summary>This tensor if already contiguous, otherwise a contiguous copy.</summary>
    public Tensor Contiguous() => Native.Wrap(Native.TensorContiguous(Handle), nameof(Contiguous), this);

    /// <summary>Pieces of size <paramref name="size"/> along <paramref name="dim"/> (views; the last may be smaller).</summary>
    public unsafe Tensor[] Split(long size, long dim = 0)
    {
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "Split size must be positive.");
        var length = Size(dim);
        var capacity = Math.Max(1, (length + size - 1) / size);
        var handles = new nint[capacity];
        long count;
        fixed (nint* p = handles)
            Native.Check(Native.Split(Handle, size, dim, p, capacity, &count), nameof(Split), this);
        var pieces = new Tensor[count];
        for (var i = 0; i < count; i++)
            pieces[i] = new Tensor(handles[i]);
        return pieces;
    }

    /// <summary>Upper triangle: elements with column - row &gt;= <paramref name="diagonal"/>, zeros elsewhere.</summary>
    public Tensor Triu(long diagonal = 0) => Native.Wrap(Native.Triangle(Handle, diagonal, 1), nameof(Triu), this);

    /// <summary>Lower triangle: elements with column - row &lt;= <paramref name="diagonal"/>, zeros elsewhere.</summary>
    public Tensor Tril(long diagonal = 0) => Native.Wrap(Native.Triangle(Handle, diagonal, 0), nameof(Tril), this);

    /// <summary>The slices of <paramref name="dim"/> listed by the 1-D integer tensor <paramref name="index"/>.</summary>
    public Tensor IndexSelect(long dim, Tensor index) => Native.Wrap(Native.IndexSelect(Handle, dim, index.Handle), nameof(IndexSelect), this, index);

    /// <summary>Elements picked along <paramref name="dim"/> by <paramref name="index"/> (same rank).</summary>
    public Tensor Gather(long dim, Tensor index) => Native.Wrap(Native.Gather(Handle, dim, index.Handle), nameof(Gather), this, index);

    /// <summary>Outer product of two 1-D tensors.</summary>
    public Tensor Outer(Tensor other) => Native.Wrap(Native.Outer(Handle, other.Handle), nameof(Outer), this, other);

    /// <summary>Concatenates along an existing dimension.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Stacks along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        Span<nint> handles = tensors.Count <= 32 ? stackalloc nint[tensors.Count] : new nint[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
            handles[i] = tensors[i].Handle;
        fixed (nint* p = handles)
        {
            return stack
                ? Native.Wrap(Native.Stack(p, handles.Length, dim), nameof(Stack))
                : Native.Wrap(Native.Cat(p, handles.Length, dim), nameof(Cat));
        }
    }
}
