using PolyGlot.Model;
using PolyGlot.Torch;

namespace PolyGlot.Training.Inference;

/// <summary>
/// Continues a token sequence one token at a time: greedy (argmax) at temperature 0, otherwise
/// temperature-scaled nucleus (top-p) sampling (Holtzman et al. 2019) from a seeded generator.
/// The prompt runs once into a key/value cache, then each step runs only the new token and reads
/// back one row of log-probabilities (one token id when greedy) instead of the window's (T, V).
/// When the cache reaches <c>max_seq_len</c> it restarts from the last half window, so long
/// continuations keep going with that much context.
/// </summary>
public static class TextGenerator
{
    /// <summary>The generated token ids (the prompt excluded); stops after <paramref name="stopId"/> when given.</summary>
    /// <exception cref="ArgumentException">Empty prompt or invalid options.</exception>
    public static IReadOnlyList<int> Generate(TransformerModel model, IReadOnlyList<int> prompt, SamplingOptions options, int? stopId = null)
    {
        options.Validate();
        TokenScorer.RequireScorable(model, prompt);
        var random = new Random(options.Seed);
        var context = prompt.ToList();
        var generated = new List<int>();
        using var noGrad = new NoGradScope();
        var cache = new KeyValueCache(model.Config.NLayers);
        try
        {
            using (var prefill = DisposeScope.Enter())
                Pick(model.NextTokenLogits(Ids(context, model.Device), cache));
            while (generated.Count < options.MaxNewTokens && generated[^1] != stopId)
            {
                if (cache.Length == model.Config.MaxSeqLen)
                {
                    cache.Dispose();
                    cache = new KeyValueCache(model.Config.NLayers);
                    var keep = context.Skip(context.Count - model.Config.MaxSeqLen / 2).ToList();
                    using var refill = DisposeScope.Enter();
                    Pick(model.NextTokenLogits(Ids(keep, model.Device), cache));
                    continue;
                }
                using var step = DisposeScope.Enter();
                Pick(model.NextTokenLogits(Ids([generated[^1]], model.Device), cache));
            }
        }
        finally
        {
            cache.Dispose();
        }
        return generated;

        // Greedy picks on the device and reads one id; sampling reads the last position's row.
        void Pick(Tensor logits)  // (1, V)
        {
            var next = options.Temperature == 0
                ? (int)logits.ArgMax(1).ToDouble()
                : Sample(Functional.LogSoftmax(logits, 1).Cpu().ToArray<float>(), options, random);
            generated.Add(next);
            context.Add(next);
        }
    }

    private static Tensor Ids(IReadOnlyList<int> ids, Device device) =>
        Tensor.FromSpan<long>(ids.Select(i => (long)i).ToArray(), [1, ids.Count], device);

    /// <summary>Picks a token from log-probabilities by temperature and top-p; <paramref name="random"/> supplies the draw.</summary>
    public static int Sample(float[] logProbs, SamplingOptions options, Random random)
    {
        // Softmax of logp / temperature, shifted by the maximum for stability.
        var scaled = logProbs.Select(l => l / options.Temperature).ToArray();
        var max = scaled.Max();
        var weights = scaled.Select(s => Math.Exp(s - max)).ToArray();
        var total = weights.Sum();
        var order = Enumerable.Range(0, weights.Length).OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
        var kept = new List<int>();
        double mass = 0;
        foreach (var id in order)
        {
            kept.Add(id);
            mass += weights[id] / total;
            if (mass >= options.TopP)
                break;
        }
        var keptMass = kept.Sum(id => weights[id]);
        var draw = random.NextDouble() * keptMass;
        foreach (var id in kept)
        {
            draw -= weights[id];
            if (draw < 0)
                return id;
        }
        return kept[^1];
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }
}
