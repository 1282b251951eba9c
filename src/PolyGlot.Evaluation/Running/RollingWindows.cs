namespace PolyGlot.Evaluation.Running;

/// <summary>
/// lm-evaluation-harness's <c>get_rolling_token_windows</c> followed by <c>make_disjoint_window</c>:
/// a text's tokens cut into windows of the model's context so that every token is predicted
/// exactly once; the first window starts from the prefix token, each later one predicts up to
/// <c>max_seq_len - context_len + 1</c> new tokens after the tokens before them (the harness's
/// models use context_len 1).
/// </summary>
public static class RollingWindows
{
    /// <summary>The (context, continuation) requests whose continuations tile <paramref name="tokens"/>.</summary>
    public static List<TokenRequest> Of(IReadOnlyList<int> tokens, int prefixToken, int maxSeqLen, int contextLen = 1)
    {
        if (contextLen < 1 || contextLen > maxSeqLen)
            throw new ArgumentOutOfRangeException(nameof(contextLen), $"context_len must be in 1..{maxSeqLen}; got {contextLen}.");
        var windows = new List<TokenRequest>();
        if (tokens.Count == 0)
            return windows;
        var predictLength = maxSeqLen - contextLen + 1;
        var first = Math.Min(maxSeqLen, tokens.Count);
        windows.Add(Disjoint([prefixToken, .. tokens.Take(first - 1)], tokens.Take(first).ToList()));
        var predicted = first;
        while (predicted < tokens.Count)
        {
            var length = Math.Min(tokens.Count - predicted, predictLength);
            var end = predicted + length;
            var contextStart = Math.Max(0, end - maxSeqLen - 1);
            windows.Add(Disjoint(tokens.Skip(contextStart).Take(end - 1 - contextStart).ToList(), tokens.Skip(end - length).Take(length).ToList()));
            predicted += length;
        }
        return windows;
    }

    // make_disjoint_window: the context loses the tokens the continuation scores itself.
    private static TokenRequest Disjoint(List<int> context, List<int> continuation) =>
        new(context.Take(context.Count - (continuation.Count - 1)).ToList(), continuation);
}
