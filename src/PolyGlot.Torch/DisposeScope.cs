namespace PolyGlot.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost scope, and disposes them
/// when it ends, except those moved out with <see cref="Tensor.MoveToOuter"/> or
/// <see cref="Tensor.Keep"/>. Scopes nest per thread and must end in reverse order of creation:
/// <code>
/// using (var scope = DisposeScope.Enter())
/// {
///     var loss = model.Forward(batch);   // activations belong to the scope
///     loss.Backward();
///     lossValue = loss.ToSingle();
/// }                                      // all of them freed here, deterministically
/// </code>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? t_current;

    private readonly List<Tensor> _tensors = new(64);
    private readonly int _threadId;
    private bool _ended;

    private DisposeScope(DisposeScope? outer)
    {
        Outer = outer;
        _threadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>The innermost active scope of the calling thread, or null.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>The scope that was current when this one began.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>Tensors registered with this scope and not yet disposed or moved out.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var tensor in _tensors)
                if (tensor.Scope == this && !tensor.IsDisposed)
                    count++;
            return count;
        }
    }

    /// <summary>Begins a scope nested in the current one and makes it current.</summary>
    public static DisposeScope Enter() => t_current = new DisposeScope(t_current);

    internal void Register(Tensor tensor)
    {
        tensor.Scope = this;
        _tensors.Add(tensor);
    }

    /// <summary>Disposes the tensors it owns and makes the outer scope current again.</summary>
    public void Dispose()
    {
        if (_ended)
            return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("A dispose scope must end on the thread that entered it.");
        if (t_current != this)
            throw new InvalidOperationException(
                "Dispose scopes must end in reverse order of creation; an inner scope is still active.");
        _ended = true;
        t_current = Outer;
        foreach (var tensor in _tensors)
            if (tensor.Scope == this)
                tensor.Dispose();
        _tensors.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Safety net for a scope that was never disposed (its thread died or it was dropped): frees
    /// the handles of the tensors it still owns. Those tensors are unreachable too, since each
    /// owned tensor references its scope.
    /// </summary>
    ~DisposeScope()
    {
        foreach (var tensor in _tensors)
            if (tensor.Scope == this)
                tensor.ReleaseFromFinalizer();
    }
}
