using PolyGlot.Model;
using PolyGlot.Torch;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Evaluation;

/// <summary>
/// Loss and bits per byte per language on held-out text, without gradients or dropout.
/// Bits per byte = (mean loss per token in nats / ln 2) × tokens per UTF-8 byte of the text: the
/// tokenizer-independent measure that lets languages (and tokenizers) be compared.
/// </summary>
public sealed class Evaluator
{
    private readonly HeldOutSet _set;
    private readonly int _microRows;

    /// <summary>Evaluates <paramref name="set"/> in chunks of <paramref name="microRows"/> rows.</summary>
    public Evaluator(HeldOutSet set, int microRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microRows, 1);
        (_set, _microRows) = (set, microRows);
    }

    /// <summary>Evaluates <paramref name="model"/> after step <paramref name="step"/>.</summary>
    public EvalMetrics Evaluate(TransformerModel model, long step)
    {
        var wasTraining = model.Training;
        model.Training = false;
        try
        {
            using var noGrad = new NoGradScope();
            var loss = new SortedDictionary<string, double>(StringComparer.Ordinal);
            var bpb = new SortedDictionary<string, double>(StringComparer.Ordinal);
            double nats = 0, tokens = 0;
            foreach (var language in _set.Languages)
            {
                var (sum, count) = Nats(model, language.Rows);
                loss[language.Language] = sum / count;
                bpb[language.Language] = sum / count / Math.Log(2) * language.TokensPerByte;
                (nats, tokens) = (nats + sum, tokens + count);
            }
            return new EvalMetrics { Step = step, Loss = nats / tokens, LossPerLanguage = loss, BitsPerBytePerLanguage = bpb };
        }
        finally
        {
            model.Training = wasTraining;
        }
    }

    private (double Nats, long Tokens) Nats(TransformerModel model, IReadOnlyList<int[]> rows)
    {
        double nats = 0;
        long tokens = 0;
        var seqLen = rows[0].Length - 1;
        for (var first = 0; first < rows.Count; first += _microRows)
        {
            using var scope = DisposeScope.Enter();
            var chunk = rows.Skip(first).Take(_microRows).ToList();
            var inputs = chunk.SelectMany(r => r.Take(seqLen)).Select(t => (long)t).ToArray();
            var targets = chunk.SelectMany(r => r.Skip(1)).Select(t => (long)t).ToArray();
            long[] shape = [chunk.Count, seqLen];
            var losses = model.TokenLosses(Tensor.FromSpan<long>(inputs, shape, model.Device), Tensor.FromSpan<long>(targets, shape, model.Device));
            nats += losses.Sum().ToDouble();
            tokens += targets.Length;
        }
        return (nats, tokens);
    }
}
