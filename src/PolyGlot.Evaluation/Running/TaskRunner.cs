using System.Text;
using System.Text.RegularExpressions;
using PolyGlot.Evaluation.Metrics;
using PolyGlot.Evaluation.Tasks;

namespace PolyGlot.Evaluation.Running;

/// <summary>
/// Runs one task on a model with lm-evaluation-harness's semantics and computes its metrics:
/// multiple choice by the summed log-likelihood of each choice after the context (acc; acc_norm
/// divides by the choice's length in characters, acc_bytes by its UTF-8 bytes), generate_until
/// greedy (exact match, corpus BLEU, chrF++), loglikelihood_rolling over disjoint windows
/// (word and byte perplexity, bits per byte).
/// </summary>
public sealed partial class TaskRunner(LanguageModel lm, RunOptions options)
{
    /// <summary>Runs <paramref name="task"/>; <paramref name="progress"/> gets (requests done, requests in all).</summary>
    public TaskResult Run(EvalTask task, Action<int, int>? progress = null)
    {
        var documents = task.Documents.Take(options.Limit ?? int.MaxValue).ToList();
        var shots = options.NumFewshot ?? task.NumFewshot;
        if (shots > task.FewshotDocuments.Count)
            throw new TaskFileException(task.File, task.Name, "fewshot_split",
                $"{shots} few-shot examples asked for, the few-shot split holds {task.FewshotDocuments.Count}");
        var contexts = documents.Select(d => Fewshot.Context(task, d, shots)).ToList();
        var (metrics, records) = task.Kind switch
        {
            TaskKind.MultipleChoice => MultipleChoice(task, documents, contexts, progress),
            TaskKind.GenerateUntil => Generation(task, documents, contexts, progress),
            _ => Rolling(task, documents, progress),
        };
        return new TaskResult(task.Name, task.Language, shots, documents.Count, metrics,
            options.LogSamples ? records : []);
    }

    private (List<MetricValue>, List<Dictionary<string, object?>>) MultipleChoice(
        EvalTask task, List<TaskDocument> documents, List<string> contexts, Action<int, int>? progress)
    {
        var requests = documents.SelectMany((d, i) => d.Choices.Select(c => lm.EncodePair(contexts[i], task.TargetDelimiter + c))).ToList();
        var done = 0;
        var answers = lm.LogLikelihoods(requests, options.BatchSize, n => progress?.Invoke(done += n, requests.Count));
        var scores = new Dictionary<string, List<double>> { ["acc"] = [], ["acc_norm"] = [], ["acc_bytes"] = [] };
        var records = new List<Dictionary<string, object?>>();
        var at = 0;
        foreach (var (document, i) in documents.Select((d, i) => (d, i)))
        {
            var ll = answers.Skip(at).Take(document.Choices.Count).Select(a => a.Value).ToArray();
            at += ll.Length;
            var choices = document.Choices;
            scores["acc"].Add(ArgMax(ll) == document.Gold ? 1 : 0);
            scores["acc_norm"].Add(ArgMax(ll.Select((l, c) => l / choices[c].Length).ToArray()) == document.Gold ? 1 : 0);
            scores["acc_bytes"].Add(ArgMax(ll.Select((l, c) => l / Encoding.UTF8.GetByteCount(choices[c])).ToArray()) == document.Gold ? 1 : 0);
            records.Add(new() { ["doc_id"] = document.Index, ["context"] = contexts[i], ["choices"] = choices, ["gold"] = document.Gold,
                ["loglikelihoods"] = ll, ["acc"] = scores["acc"][^1], ["acc_norm"] = scores["acc_norm"][^1] });
        }
        return (task.Metrics.Select(m => Mean(m, scores[m])).ToList(), records);
    }

    private (List<MetricValue>, List<Dictionary<string, object?>>) Generation(
        EvalTask task, List<TaskDocument> documents, List<string> contexts, Action<int, int>? progress)
    {
        var predictions = new List<string>();
        for (var i = 0; i < documents.Count; i++)
        {
            predictions.Add(Generator.GenerateUntil(lm, contexts[i], task.Until, task.MaxGenToks));
            progress?.Invoke(i + 1, documents.Count);
        }
        var references = documents.Select(d => d.References).ToList();
        var metrics = task.Metrics.Select(m => m switch
        {
            "exact_match" => Mean(m, predictions.Select((p, i) => references[i].Contains(p.Trim()) ? 1.0 : 0.0).ToList()),
            "bleu" => Corpus(m, predictions.Count, idx => new Bleu().CorpusScore(Pick(predictions, idx), Pick(references, idx))),
            _ => Corpus(m, predictions.Count, idx => new ChrF().CorpusScore(Pick(predictions, idx), Pick(references, idx))),
        }).ToList();
        var records = documents.Select((d, i) => new Dictionary<string, object?>
        {
            ["doc_id"] = d.Index, ["context"] = contexts[i], ["prediction"] = predictions[i], ["references"] = d.References,
        }).ToList();
        return (metrics, records);
    }

    private (List<MetricValue>, List<Dictionary<string, object?>>) Rolling(EvalTask task, List<TaskDocument> documents, Action<int, int>? progress)
    {
        var texts = documents.Select(d => d.References[0]).ToList();
        var windows = texts.Select(t => RollingWindows.Of(lm.Encode(t), lm.ContextTokenId, lm.MaxLength)).ToList();
        var all = windows.SelectMany(w => w).ToList();
        var done = 0;
        var answers = lm.LogLikelihoods(all, options.BatchSize, n => progress?.Invoke(done += n, all.Count));
        var at = 0;
        var ll = windows.Select(w => { var s = answers.Skip(at).Take(w.Count).Sum(a => a.Value); at += w.Count; return s; }).ToArray();
        var words = texts.Select(t => (double)Whitespace().Split(t).Length).ToArray();
        var bytes = texts.Select(t => (double)Encoding.UTF8.GetByteCount(t)).ToArray();
        double Ratio(IReadOnlyList<int> idx, double[] units) => -idx.Sum(i => ll[i]) / idx.Sum(i => units[i]);
        var metrics = task.Metrics.Select(m => m switch
        {
            "word_perplexity" => Corpus(m, texts.Count, idx => Math.Exp(Ratio(idx, words))),
            "byte_perplexity" => Corpus(m, texts.Count, idx => Math.Exp(Ratio(idx, bytes))),
            _ => Corpus(m, texts.Count, idx => Ratio(idx, bytes) / Math.Log(2)),
        }).ToList();
        var records = documents.Select((d, i) => new Dictionary<string, object?>
        {
            ["doc_id"] = d.Index, ["loglikelihood"] = ll[i], ["words"] = words[i], ["bytes"] = bytes[i],
        }).ToList();
        return (metrics, records);
    }

    // lm-evaluation-harness's mean_stderr: the sample standard deviation over sqrt(n).
    private static MetricValue Mean(string name, List<double> values)
    {
        var mean = values.Average();
        var n = values.Count;
        var stderr = n < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1) / n);
        return new MetricValue(name, mean, stderr);
    }

    private static MetricValue Corpus(string name, int n, Func<IReadOnlyList<int>, double> aggregate) =>
        new(name, aggregate(Enumerable.Range(0, n).ToList()), Bootstrap.StandardError(n, aggregate));

    private static List<T> Pick<T>(List<T> items, IReadOnlyList<int> indices) => indices.Select(i => items[i]).ToList();

    // The first maximum, as numpy's argmax breaks ties.
    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
