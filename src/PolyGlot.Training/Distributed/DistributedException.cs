namespace PolyGlot.Training.Distributed;

/// <summary>
/// The data-parallel group failed: the rendezvous did not complete, or a collective failed
/// because another rank stopped or could not be reached. The message names this rank and what failed.
/// </summary>
public sealed class DistributedException : Exception
{
    /// <summary>Creates the exception with a message for the user.</summary>
    public DistributedException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
