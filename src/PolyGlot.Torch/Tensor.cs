using System.Text;
using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

/// <summary>
/// A libtorch tensor. Each instance owns one native handle, released by <see cref="Dispose"/>
/// or by the innermost <see cref="DisposeScope"/> that was active when it was created.
/// Finalization is only a safety net: a tensor outside any scope carries a small finalizable
/// <see cref="HandleGuard"/>, a scoped tensor relies on its scope's finalizer, so that the
/// common case (every op inside a step's scope) allocates no finalizable object per op.
/// Operations return new tensors, which share storage with their input where PyTorch's do (views).
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private nint _handle;
    private HandleGuard? _guard;

    internal Tensor(nint handle)
    {
        _handle = handle;
        var scope = DisposeScope.Current;
        if (scope != null)
            scope.Register(this);
        else
            _guard = new HandleGuard(handle);
    }

    /// <summary>Native tensor handles alive in this process (all threads), for leak checks.</summary>
    public static long LiveCount => Native.TensorLiveCount();

    /// <summary>True once the native handle has been released.</summary>
    public bool IsDisposed => _handle == 0;

    /// <summary>The dispose scope that owns this tensor, or null when the caller owns it.</summary>
    internal DisposeScope? Scope { get; set; }

    internal nint Handle
    {
        get
        {
            var handle = _handle;
            if (handle == 0)
                throw new ObjectDisposedException(nameof(Tensor), "The tensor was disposed (by Dispose or by the end of its dispose scope).");
            return handle;
        }
    }

    /// <summary>Releases the native handle now. Further use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0)
            return;
        Native.TensorFree(handle);
        if (_guard != null)
            GC.SuppressFinalize(_guard);
    }

    /// <summary>Frees the handle from a finalizer (of the owning scope); no managed state is touched.</summary>
    internal void ReleaseFromFinalizer()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
            Native.TensorFree(handle);
    }

    /// <summary>
    /// Hands the tensor to the scope outside the one that owns it (or to the caller when that was
    /// the outermost scope); returns this tensor.
    /// </summary>
    public Tensor MoveToOuter()
    {
        var outer = Scope?.Outer;
        Scope = null;
        if (outer != null)
            outer.Register(this);
        else
            GuardUnscoped();
        return this;
    }

    /// <summary>Removes the tensor from every dispose scope: the caller disposes it. Returns this tensor.</summary>
    public Tensor Keep()
    {
        Scope = null;
        GuardUnscoped();
        return this;
    }

    private void GuardUnscoped()
    {
        var handle = _handle;
        if (handle != 0)
            _guard ??= new HandleGuard(handle);
    }

    /// <summary>
    /// Frees the handle of an unscoped tensor that became unreachable without being disposed.
    /// It lives exactly as long as its tensor, which holds the only reference to it.
    /// </summary>
    private sealed class HandleGuard(nint handle)
    {
        ~HandleGuard() => Native.TensorFree(handle);
    }

    /// <summary>A second handle to the same tensor (same storage and autograd identity), owned by the current scope.</summary>
    public Tensor Alias() => Native.Wrap(Native.TensorAlias(Handle), nameof(Alias), this);

    /// <summary>Number of dimensions.</summary>
    public int Dim => (int)Native.TensorDim(Handle);

    /// <summary>Number of elements.</summary>
    public long NumEl => Native.TensorNumel(Handle);

    /// <summary>The sizes of all dimensions (a new array).</summary>
    public unsafe long[] Shape
    {
        get
        {
            var handle = Handle;
            var shape = new long[Native.TensorDim(handle)];
            fixed (long* p = shape)
                Native.TensorSizes(handle, p);
            return shape;
        }
    }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public unsafe long Size(long dim)
    {
        long size;
        Native.Check(Native.TensorSize(Handle, dim, &size), nameof(Size), this);
        return size;
    }

    /// <summary>Element type.</summary>
    public DType DType => (DType)Native.TensorDType(Handle);

    /// <summary>The device holding the elements.</summary>
    public Device Device
    {
        get
        {
            var handle = Handle;
            return new Device((DeviceType)Native.TensorDeviceType(handle), Native.TensorDeviceIndex(handle));
        }
    }

    /// <summary>True when the elements are laid out contiguously in row-major order.</summary>
    public bool IsContiguous => Native.TensorIsContiguous(Handle) != 0;

    /// <summary>Libtorch's printout of the tensor (values, dtype, shape).</summary>
    public override unsafe string ToString()
    {
        if (IsDisposed)
            return "Tensor(disposed)";
        long needed = 0;
        Native.Check(Native.TensorToString(Handle, null, 0, &needed), nameof(ToString), this);
        var buffer = new byte[needed];
        fixed (byte* p = buffer)
            Native.Check(Native.TensorToString(Handle, p, needed, &needed), nameof(ToString), this);
        return Encoding.UTF8.GetString(buffer, 0, (int)needed - 1);
    }
}
