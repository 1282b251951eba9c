using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

/// <summary>
/// Disables gradient recording on the calling thread until disposed (PyTorch's
/// <c>torch.no_grad()</c>); the previous mode comes back at the end, so scopes nest.
/// </summary>
public sealed class NoGradScope : IDisposable
{
    private readonly bool _previous;
    private bool _ended;

    /// <summary>Turns gradient recording off for this thread.</summary>
    public NoGradScope()
    {
        _previous = IsGradEnabled;
        Native.SetGradEnabled(0);
    }

    /// <summary>Whether operations on this thread currently record gradients.</summary>
    public static bool IsGradEnabled => Native.GradEnabled() != 0;

    /// <summary>Restores the previous grad mode.</summary>
    public void Dispose()
    {
        if (_ended)
            return;
        _ended = true;
        Native.SetGradEnabled(_previous ? 1 : 0);
    }
}
