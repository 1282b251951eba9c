using PolyGlot.Evaluation.Running;

namespace PolyGlot.Evaluation.Tests.Running;

public sealed class RollingWindowsTests
{
    [Fact]
    public void EveryTokenScoredOnceAfterAllBeforeItInWindow_When_TextLongerThanContext()
    {
        // Given 23 tokens and a window of 8
        var tokens = Enumerable.Range(100, 23).ToList();
        // When cut into rolling windows
        var windows = RollingWindows.Of(tokens, prefixToken: 2, maxSeqLen: 8);
        // Then the continuations tile the text, the first context is the prefix token, and each window fits the model
        Assert.Equal(tokens, windows.SelectMany(w => w.Continuation));
        Assert.Equal([2], windows[0].Context);
        Assert.All(windows, w => Assert.Equal(8, w.Context.Count + w.Continuation.Count - 1));
        Assert.All(windows.Skip(1), w => Assert.Equal(tokens[tokens.IndexOf(w.Continuation[0]) - 1], w.Context[^1]));
    }
}
