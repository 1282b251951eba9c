using System.Runtime.InteropServices;

namespace PolyGlot.Training.Trainer;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM (schedulers, <c>kill</c>) into a cancellation request: the
/// process is not terminated, the trainer finishes the current step, writes a checkpoint and
/// returns. A second signal while stopping is also absorbed; the step in flight always finishes.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    /// <summary>Starts listening for SIGINT and SIGTERM.</summary>
    public StopSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Cancelled when a signal arrives.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The signal received, or null.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Received ??= context.Signal;
        _source.Cancel();
    }
}
