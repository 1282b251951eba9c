namespace PolyGlot.Torch;

/// <summary>
/// A libtorch operation failed. <see cref="Operation"/> names the operation as the managed API
/// called it; <see cref="NativeMessage"/> is libtorch's own message, without the C++ backtrace.
/// </summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception for a failed <paramref name="operation"/>.</summary>
    public TorchException(string operation, string nativeMessage)
        : base($"{operation} failed: {nativeMessage}")
    {
        Operation = operation;
        NativeMessage = nativeMessage;
    }

    /// <summary>The managed operation that failed, e.g. <c>MatMul</c>.</summary>
    public string Operation { get; }

    /// <summary>libtorch's message.</summary>
    public string NativeMessage { get; }
}
