using System.Runtime.CompilerServices;
using PolyGlot.Torch.Optim;

namespace PolyGlot.Torch.Tests;

// Live counts are process-wide; tests that compare them run one at a time.
[Collection(ProcessStateCollection.Name)]
public sealed class DisposeScopeTests
{
    [Fact]
    public void LiveCountReturnsToStart_When_ATrainingStepRunsInAScope()
    {
        // Given a two-layer model and its optimizer, outside any scope
        using var w1 = Tensor.Randn([8, 4], requiresGrad: true).Keep();
        using var w2 = Tensor.Randn([3, 8], requiresGrad: true).Keep();
        using var optimizer = new AdamW([w1, w2]);
        GC.Collect();
        GC.WaitForPendingFinalizers(); // tensors other tests left to the finalizer must not be counted now
        var before = Tensor.LiveCount;

        // When a full step (forward, loss, backward, clip, update) runs in a scope
        using (DisposeScope.Enter())
        {
            var x = Tensor.Randn([5, 4]);
            var logits = Functional.Linear(Functional.Linear(x, w1).Gelu(), w2);
            var loss = Functional.CrossEntropy(logits, Tensor.FromArray(new long[] { 0, 1, 2, 1, 0 }));
            loss.Backward();
            GradientClipping.ClipGradNorm([w1, w2], 1.0);
            optimizer.Step();
            optimizer.ZeroGrad();
        }

        // Then every intermediate tensor has been freed
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void MovedTensorSurvives_When_InnerScopeEnds()
    {
        // Given nested scopes
        using var outer = DisposeScope.Enter();
        Tensor kept, dropped;
        using (DisposeScope.Enter())
        {
            // When one result is moved to the outer scope
            kept = (Tensor.Ones([2]) * 3).MoveToOuter();
            dropped = Tensor.Ones([2]);
        }

        // Then it is still usable, the other is not, and the outer scope owns it
        Assert.Equal(6f, kept.Sum().ToSingle());
        Assert.True(dropped.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Same(outer, DisposeScope.Current);
    }

    [Fact]
    public void KeptTensorOutlivesAllScopes_When_Kept()
    {
        Tensor kept;
        using (DisposeScope.Enter())
        using (DisposeScope.Enter())
            kept = Tensor.Ones([1]).Keep();

        Assert.False(kept.IsDisposed);
        kept.Dispose();
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void FinalizersFreeHandles_When_TensorsAndScopesAreDroppedUndisposed()
    {
        // Given no pending finalizers
        Collect();
        var before = Tensor.LiveCount;

        // When unscoped, kept and scoped tensors are dropped without Dispose (the scope left undisposed on another thread)
        CreateAndDrop();
        Assert.True(Tensor.LiveCount > before);
        Collect();

        // Then the finalizers have freed every handle
        Assert.Equal(before, Tensor.LiveCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CreateAndDrop()
    {
        _ = Tensor.Ones([4]);
        _ = Tensor.Ones([4]) + 1;
        var thread = new Thread(() =>
        {
            DisposeScope.Enter();
            _ = Tensor.Ones([4]) * 2;
            _ = Tensor.Ones([4]).Keep();
        });
        thread.Start();
        thread.Join();
    }

    private static void Collect()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void Throws_When_AnOuterScopeEndsBeforeItsInnerScope()
    {
        var outer = DisposeScope.Enter();
        var inner = DisposeScope.Enter();

        Assert.Throws<InvalidOperationException>(outer.Dispose);

        inner.Dispose();
        outer.Dispose();
        Assert.Null(DisposeScope.Current);
    }
}

/// <summary>
/// Tests that read process-wide libtorch state (the live-tensor count, the default random
/// generator) run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessStateCollection
{
    public const string Name = "process-wide libtorch state";
}
