using PolyGlot.Evaluation.Tasks;

namespace PolyGlot.Evaluation.Running;

/// <summary>
/// Builds a document's context as lm-evaluation-harness does: the description, then each example
/// as its text, the target delimiter and its answer, joined by the few-shot delimiter, then the
/// document's own text. Examples come only from the few-shot split (the loader refuses a few-shot
/// split equal to the evaluated one), drawn without replacement from a generator seeded by the
/// task's seed and the document's index, so that a document's examples do not depend on --limit.
/// </summary>
public static class Fewshot
{
    /// <summary>The context of <paramref name="document"/> with <paramref name="shots"/> examples.</summary>
    public static string Context(EvalTask task, TaskDocument document, int shots)
    {
        if (shots == 0)
            return task.Description + document.Text;
        var examples = Draw(task.FewshotDocuments.Count, shots, task.FewshotSeed * 1_000_003L + document.Index)
            .Select(i => task.FewshotDocuments[i])
            .Select(e => e.Text + task.TargetDelimiter + e.References[0]);
        return task.Description + string.Join(task.FewshotDelimiter, examples) + task.FewshotDelimiter + document.Text;
    }

    /// <summary><paramref name="k"/> distinct indices of 0..n-1 by a partial Fisher-Yates shuffle.</summary>
    public static int[] Draw(int n, int k, long seed)
    {
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var pool = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < k; i++)
        {
            var j = random.Next(i, n);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k];
    }
}
