using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>
/// P/Invoke declarations for <c>libpolyglot_torch.so</c> (src/PolyGlot.Native/torch). Every export
/// reports failure by a negative status or a null handle plus a thread-local message; the methods
/// below are the one place where that is turned into a <see cref="TorchException"/>.
/// </summary>
internal static unsafe partial class Native
{
    /// <summary>Library name as the loader resolves it (see <see cref="NativeLibraryLoader"/>).</summary>
    public const string Library = "polyglot_torch";

    [LibraryImport(Library, EntryPoint = "pg_torch_last_error")]
    private static partial nint LastError();

    /// <summary>Throws when <paramref name="status"/> signals an error; returns it otherwise.</summary>
    public static int Check(int status, string operation)
    {
        if (status < 0)
            Throw(operation);
        return status;
    }

    /// <summary>Like <see cref="Check(int, string)"/>, naming the operation by its code only on failure.</summary>
    public static void Check<TOp>(int status, TOp operation) where TOp : struct, Enum
    {
        if (status < 0)
            Throw(operation.ToString());
    }

    /// <summary>Wraps a handle returned by an export, throwing when it is null (an error).</summary>
    public static Tensor Wrap(nint handle, string operation)
    {
        if (handle == 0)
            Throw(operation);
        return new Tensor(handle);
    }

    /// <summary>Like <see cref="Wrap(nint, string)"/>, naming the operation by its code only on failure (no per-call string).</summary>
    public static Tensor Wrap<TOp>(nint handle, TOp operation) where TOp : struct, Enum
    {
        if (handle == 0)
            Throw(operation.ToString());
        return new Tensor(handle);
    }

    // The overloads below take the tensors whose handles the call used. Passing them as arguments,
    // which are evaluated after the native call returns, keeps them reachable until then: an
    // unscoped tensor's finalizer cannot free its handle while libtorch still works on it.

    /// <summary><see cref="Check(int, string)"/>, keeping the tensors the call used alive through it.</summary>
    public static int Check(int status, string operation, object owner, object? other = null)
    {
        KeepAlive(owner, other);
        return Check(status, operation);
    }

    /// <summary><see cref="Check{TOp}(int, TOp)"/>, keeping the tensors the call used alive through it.</summary>
    public static void Check<TOp>(int status, TOp operation, object owner, object? other = null) where TOp : struct, Enum
    {
        KeepAlive(owner, other);
        Check(status, operation);
    }

    /// <summary><see cref="Wrap(nint, string)"/>, keeping the tensors the call used alive through it.</summary>
    public static Tensor Wrap(nint handle, string operation, object owner, object? other = null)
    {
        KeepAlive(owner, other);
        return Wrap(handle, operation);
    }

    /// <summary><see cref="Wrap{TOp}(nint, TOp)"/>, keeping the tensors the call used alive through it.</summary>
    public static Tensor Wrap<TOp>(nint handle, TOp operation, object owner, object? other = null) where TOp : struct, Enum
    {
        KeepAlive(owner, other);
        return Wrap(handle, operation);
    }

    private static void KeepAlive(object owner, object? other)
    {
        GC.KeepAlive(owner);
        GC.KeepAlive(other);
    }

    /// <summary>Wraps a handle that may legitimately be null (e.g. an absent gradient).</summary>
    public static Tensor? WrapOptional(nint handle) => handle == 0 ? null : new Tensor(handle);

    private static void Throw(string operation)
    {
        var message = Marshal.PtrToStringUTF8(LastError()) ?? "unknown error";
        throw new TorchException(operation, message);
    }
}
