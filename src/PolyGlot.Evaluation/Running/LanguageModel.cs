using PolyGlot.Model;
using PolyGlot.Tokenization;
using PolyGlot.Torch;

namespace PolyGlot.Evaluation.Running;

/// <summary>One log-likelihood request in tokens: the continuation is scored after the context.</summary>
/// <param name="Context">Context ids, the context token first.</param>
/// <param name="Continuation">Ids to score (at least one).</param>
public sealed record TokenRequest(IReadOnlyList<int> Context, IReadOnlyList<int> Continuation);

/// <summary>A request's answer: summed log-likelihood in nats and whether greedy decoding would produce the continuation.</summary>
public readonly record struct LogLikelihood(double Value, bool IsGreedy);

/// <summary>
/// A model with its tokenizer, answering the harness's three request types. Every sequence
/// starts with the context token (end of document), as the model saw each document in training;
/// context and continuation are tokenized as lm-evaluation-harness does (trailing spaces of the
/// context move to the continuation, the continuation's ids are those of context + continuation
/// after the context's).
/// </summary>
public sealed class LanguageModel(TransformerModel model, Func<string, int[]> encode, Func<int[], string> decode, int contextTokenId)
{
    /// <summary>The model.</summary>
    public TransformerModel Model { get; } = model;

    /// <summary>The token every sequence starts with.</summary>
    public int ContextTokenId { get; } = contextTokenId;

    /// <summary>The model's context window in tokens.</summary>
    public int MaxLength => Model.Config.MaxSeqLen;

    /// <summary>Wraps a model and a tokenizer; the context token is the tokenizer's end of document.</summary>
    public static LanguageModel Of(TransformerModel model, ITokenizer tokenizer) =>
        new(model, tokenizer.Encode, ids => tokenizer.Decode(ids), tokenizer.Special.EosId);

    /// <summary>Token ids of a text.</summary>
    public int[] Encode(string text) => text.Length == 0 ? [] : encode(text);

    /// <summary>Text of token ids.</summary>
    public string Decode(int[] ids) => decode(ids);

    /// <summary>The harness's <c>_encode_pair</c>: (context ids with the context token first, continuation ids).</summary>
    public TokenRequest EncodePair(string context, string continuation)
    {
        var spaces = context.Length - context.TrimEnd(' ').Length;
        if (spaces > 0)
            (context, continuation) = (context[..^spaces], context[^spaces..] + continuation);
        var contextIds = Encode(context);
        var whole = Encode(context + continuation);
        var prefix = new List<int>(contextIds.Length + 1) { ContextTokenId };
        prefix.AddRange(contextIds);
        return new TokenRequest(prefix, whole[contextIds.Length..]);
    }

    /// <summary>
    /// Answers requests in batches of up to <paramref name="batchSize"/>, longest first (as the
    /// harness orders them, so padding is small and memory peaks early); results in request order.
    /// A sequence longer than the window keeps its last <c>max_seq_len</c> + 1 tokens.
    /// </summary>
    public LogLikelihood[] LogLikelihoods(IReadOnlyList<TokenRequest> requests, int batchSize, Action<int>? done = null)
    {
        var results = new LogLikelihood[requests.Count];
        var order = Enumerable.Range(0, requests.Count)
            .OrderByDescending(i => requests[i].Context.Count + requests[i].Continuation.Count).ThenBy(i => i).ToArray();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var batch = order.Skip(start).Take(batchSize).ToArray();
            var answers = Score(batch.Select(i => requests[i]).ToList());
            for (var k = 0; k < batch.Length; k++)
                results[batch[k]] = answers[k];
            done?.Invoke(batch.Length);
        }
        return results;
    }

    // One padded forward pass. Padding goes on the right: with causal attention it cannot change
    // the positions before it, so no mask is needed.
    private LogLikelihood[] Score(IReadOnlyList<TokenRequest> batch)
    {
        var rows = batch.Select(Window).ToList();
        int B = rows.Count, T = rows.Max(r => r.Input.Length);
        var input = new long[B * T];
        var targets = new long[B * T];
        for (var b = 0; b < B; b++)
            for (var t = 0; t < rows[b].Input.Length; t++)
                (input[b * T + t], targets[b * T + t]) = (rows[b].Input[t], rows[b].Target[t]);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var logits = Model.Precision.ToFloat32(Model.Forward(Tensor.FromSpan<long>(input, [B, T], Model.Device)));  // (B, T, V)
        var logProbs = Functional.LogSoftmax(logits, 2);
        var index = Tensor.FromSpan<long>(targets, [B, T, 1], Model.Device);
        // Only the targets' log-probabilities and the argmax ids leave the device, not (B, T, V).
        var chosen = logProbs.Gather(2, index).Cpu().ToArray<float>();  // (B, T)
        var best = logits.ArgMax(2).Cpu().ToArray<long>();  // (B, T)
        var answers = new LogLikelihood[B];
        for (var b = 0; b < B; b++)
        {
            var (sum, greedy) = (0.0, true);
            for (var t = rows[b].Input.Length - rows[b].Scored; t < rows[b].Input.Length; t++)
            {
                sum += chosen[b * T + t];
                greedy &= best[b * T + t] == targets[b * T + t];
            }
            answers[b] = new LogLikelihood(sum, greedy);
        }
        return answers;
    }

    // The harness's window: (context + continuation)[-(L + 1):], inputs all but the last, targets shifted by one.
    private (int[] Input, int[] Target, int Scored) Window(TokenRequest request)
    {
        if (request.Continuation.Count == 0)
            throw new ArgumentException("A continuation must hold at least one token.");
        if (request.Continuation.Count > MaxLength)
            throw new ArgumentException($"A continuation of {request.Continuation.Count} tokens exceeds the model's window of {MaxLength}.");
        var all = request.Context.Concat(request.Continuation).ToArray();
        var kept = all[Math.Max(0, all.Length - (MaxLength + 1))..];
        return (kept[..^1], kept[1..], request.Continuation.Count);
    }
}
