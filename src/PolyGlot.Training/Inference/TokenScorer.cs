using PolyGlot.Model;
using PolyGlot.Torch;

namespace PolyGlot.Training.Inference;

/// <summary>
/// Next-token log-probabilities of a model over a token sequence, in float32 without gradients:
/// the numbers to compare against another implementation of the same weights.
/// </summary>
public static class TokenScorer
{
    /// <summary>
    /// Log-softmax of the logits at every position: row t is log p(· | ids[0..t]), shape (T, V).
    /// </summary>
    /// <exception cref="ArgumentException">No tokens, or more than the model's <c>max_seq_len</c>.</exception>
    public static float[][] NextTokenLogProbs(TransformerModel model, IReadOnlyList<int> ids)
    {
        RequireScorable(model, ids);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var input = Tensor.FromSpan<long>(ids.Select(i => (long)i).ToArray(), [1, ids.Count], model.Device);
        var logits = model.Precision.ToFloat32(model.Forward(input)).Select(0, 0);  // (T, V)
        var logProbs = Functional.LogSoftmax(logits, 1).Cpu().ToArray<float>();
        var v = model.Config.VocabSize;
        return Enumerable.Range(0, ids.Count).Select(t => logProbs.AsSpan(t * v, v).ToArray()).ToArray();
    }

    /// <summary>
    /// log p(ids[t] | ids[0..t-1]) for t = 1..T-1: one value per token after the first, in nats.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two tokens, or more than <c>max_seq_len</c>.</exception>
    public static double[] TokenLogProbs(TransformerModel model, IReadOnlyList<int> ids)
    {
        if (ids.Count < 2)
            throw new ArgumentException(
                $"Scoring needs at least two tokens (the first is context only); got {ids.Count}. Pass a longer text.", nameof(ids));
        RequireScorable(model, ids);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var input = Tensor.FromSpan<long>(ids.Select(i => (long)i).ToArray(), [1, ids.Count], model.Device);
        var logits = model.Precision.ToFloat32(model.Forward(input)).Select(0, 0).Narrow(0, 0, ids.Count - 1);  // (T-1, V)
        var next = Tensor.FromSpan<long>(ids.Skip(1).Select(i => (long)i).ToArray(), [ids.Count - 1, 1], model.Device);  // (T-1, 1)
        // Only the chosen tokens' log-probabilities leave the device, not the (T, V) table.
        var chosen = Functional.LogSoftmax(logits, 1).Gather(1, next).Cpu().ToArray<float>();  // (T-1)
        return chosen.Select(l => (double)l).ToArray();
    }

    internal static void RequireScorable(TransformerModel model, IReadOnlyList<int> ids)
    {
        if (ids.Count == 0)
            throw new ArgumentException("There are no tokens to score: the text is empty. Pass a non-empty text.", nameof(ids));
        if (ids.Count > model.Config.MaxSeqLen)
            throw new ArgumentException(
                $"The text is {ids.Count} tokens, more than the model's max_seq_len of {model.Config.MaxSeqLen}. Pass a shorter text.", nameof(ids));
        foreach (var id in ids)
            if (id < 0 || id >= model.Config.VocabSize)
                throw new ArgumentException($"Token id {id} is outside the model's vocabulary of {model.Config.VocabSize}.", nameof(ids));
    }
}
