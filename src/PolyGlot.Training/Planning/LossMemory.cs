using static PolyGlot.Training.Planning.ByteSize;

namespace PolyGlot.Training.Planning;

/// <summary>
/// The loss's peak over one micro-batch (TransformerModel.CrossEntropyOfHidden, src/PolyGlot.Native/torch/pg_loss.cpp).
/// Chunked (<c>training.loss_chunk_tokens</c> = n &gt; 0): backward recomputes a chunk's float32 logits and
/// their log-softmax, 2 x 4·nV (with bf16 also the chunk's bf16 logits and gradient, 2 x 2·nV), beside
/// the float32 head-gradient accumulator, 4·VC, and the gradient of the hidden states, a·BTC. Plain: the
/// logits (and their float32 copy with bf16) and log-softmax of all B·T positions live from forward, and
/// backward adds the gradients of the loss and of the logits: 4 x 4·BTV (with bf16, 2 x 2·BTV more).
/// </summary>
internal static class LossMemory
{
    public static LossPeak Of(long positions, long vocab, long width, int chunkTokens, int computeBytes)
    {
        long a = computeBytes;
        var reduced = a < 4;
        var chunked = chunkTokens > 0;
        var rows = chunked ? Math.Min(chunkTokens, positions) : positions;
        var logits = (chunked ? 2 : 4) * 4 * rows * vocab + (reduced ? 2 * a * rows * vocab : 0);
        var extra = chunked ? 4 * vocab * width + a * positions * width : 0;
        var bf16 = reduced ? $" + 2 x {Count(rows)} x {Count(vocab)} x {a} B (bf16)" : "";
        var text = chunked
            ? $"2 x {Count(rows)} x {Count(vocab)} x 4 B (float32 logits of a chunk and their log-softmax){bf16} + {Format(extra)} (head-gradient accumulator, hidden-state gradient)"
            : $"4 x {Count(rows)} x {Count(vocab)} x 4 B (float32 logits of all positions, unchunked, their log-softmax and gradients){bf16}";
        // The plain path's logits (and their float32 copy) belong to the caller's scope: they stay until the micro-batch ends.
        var held = chunked ? 0 : a * rows * vocab + (reduced ? 4 * rows * vocab : 0);
        return new LossPeak(logits + extra, held, text);
    }
}

/// <summary>The loss's peak, what of it stays until the micro-batch ends, and the arithmetic.</summary>
internal sealed record LossPeak(long Bytes, long Held, string Arithmetic);
