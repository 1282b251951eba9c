using System.Runtime.ExceptionServices;

namespace PolyGlot.Training.Trainer;

/// <summary>
/// Runs training on one dedicated thread: that thread owns libtorch's per-thread state (grad mode,
/// dispose scopes, the native error slot) for the whole run; the caller blocks until it ends and
/// gets its result or its exception.
/// </summary>
public static class TrainingThread
{
    /// <summary>Runs <paramref name="work"/> on a new thread named <c>polyglot-train</c> and waits for it.</summary>
    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 16 << 20) { Name = "polyglot-train" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
