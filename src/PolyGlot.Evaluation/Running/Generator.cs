using PolyGlot.Model;
using PolyGlot.Torch;

namespace PolyGlot.Evaluation.Running;

/// <summary>
/// The harness's <c>generate_until</c>: greedy decoding through the key/value cache from the
/// context's last <c>max_seq_len - max_gen_toks</c> tokens, stopping at the end-of-document token,
/// after <c>max_gen_toks</c> tokens, or as soon as the text holds a stop sequence; the text is cut
/// before the first stop sequence.
/// </summary>
public static class Generator
{
    /// <summary>The continuation of <paramref name="context"/>, cut at the first of <paramref name="until"/>.</summary>
    public static string GenerateUntil(LanguageModel lm, string context, IReadOnlyList<string> until, int maxGenToks)
    {
        var budget = Math.Min(maxGenToks, lm.MaxLength - 1);
        var ids = new List<int> { lm.ContextTokenId };
        ids.AddRange(lm.Encode(context));
        var prompt = ids.Skip(Math.Max(0, ids.Count - (lm.MaxLength - budget))).Select(i => (long)i).ToArray();
        var generated = new List<int>();
        var text = "";
        using var noGrad = new NoGradScope();
        using var cache = new KeyValueCache(lm.Model.Config.NLayers);
        var next = prompt;
        while (generated.Count < budget)
        {
            int id;
            using (var step = DisposeScope.Enter())
                id = (int)lm.Model.NextTokenLogits(Tensor.FromSpan<long>(next, [1, next.Length], lm.Model.Device), cache).ArgMax(1).ToDouble();
            if (id == lm.ContextTokenId)
                break;
            generated.Add(id);
            text = lm.Decode([.. generated]);
            if (until.Any(s => s.Length > 0 && text.Contains(s, StringComparison.Ordinal)))
                break;
            next = [id];
        }
        return Cut(text, until);
    }

    /// <summary>The text before the earliest stop sequence (the whole text when none occurs).</summary>
    public static string Cut(string text, IReadOnlyList<string> until)
    {
        var end = text.Length;
        foreach (var stop in until.Where(s => s.Length > 0))
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && at < end)
                end = at;
        }
        return text[..end];
    }
}
