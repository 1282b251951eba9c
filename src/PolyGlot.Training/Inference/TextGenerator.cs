using PolyGlot.Model;

namespace PolyGlot.Training.Inference;

/// <summary>
/// Continues a token sequence one token at a time: greedy (argmax) at temperature 0, otherwise
/// temperature-scaled nucleus (top-p) sampling (Holtzman et al. 2019) from a seeded generator.
/// Each step re-runs the whole window (no key/value cache): simple, and fast enough for the small
/// models and short continuations this is for.
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
        for (var i = 0; i < options.MaxNewTokens; i++)
        {
            var window = context.Skip(Math.Max(0, context.Count - model.Config.MaxSeqLen)).ToList();
            var last = TokenScorer.NextTokenLogProbs(model, window)[^1];
            var next = options.Temperature == 0 ? ArgMax(last) : Sample(last, options, random);
            generated.Add(next);
            context.Add(next);
            if (next == stopId)
                break;
        }
        return generated;
    }

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
