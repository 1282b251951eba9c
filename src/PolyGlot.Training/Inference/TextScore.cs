using PolyGlot.Model;
using PolyGlot.Tokenization;

namespace PolyGlot.Training.Inference;

/// <summary>
/// A text's tokens and the model's log-probability of each, in nats. Scoring starts from the
/// end-of-document token as context, as every document but the first is seen in training, so the
/// text's first token is scored too.
/// </summary>
/// <param name="TokenIds">The text's token ids (the context token excluded).</param>
/// <param name="Pieces">The piece of each token.</param>
/// <param name="LogProbs">log p(token | context and the tokens before it), one per token.</param>
/// <param name="Utf8Bytes">Bytes of the text in UTF-8.</param>
public sealed record TextScore(IReadOnlyList<int> TokenIds, IReadOnlyList<string> Pieces, IReadOnlyList<double> LogProbs, long Utf8Bytes)
{
    /// <summary>Sum of the log-probabilities.</summary>
    public double TotalLogProb => LogProbs.Sum();

    /// <summary>Mean negative log-probability per token, in nats.</summary>
    public double LossPerToken => -TotalLogProb / LogProbs.Count;

    /// <summary>Bits per UTF-8 byte: total negative log-probability in bits over the text's bytes.</summary>
    public double BitsPerByte => -TotalLogProb / Math.Log(2) / Utf8Bytes;

    /// <summary>Encodes and scores <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text is empty, or too long for the model.</exception>
    public static TextScore Of(TransformerModel model, ITokenizer tokenizer, string text)
    {
        if (string.IsNullOrEmpty(text))
            throw new ArgumentException("The text to score is empty; pass some text (--text \"...\").", nameof(text));
        var ids = tokenizer.Encode(text);
        var context = new List<int> { tokenizer.Special.EosId };
        context.AddRange(ids);
        var logProbs = TokenScorer.TokenLogProbs(model, context);
        return new TextScore(ids, ids.Select(tokenizer.IdToPiece).ToList(), logProbs, System.Text.Encoding.UTF8.GetByteCount(text));
    }
}
