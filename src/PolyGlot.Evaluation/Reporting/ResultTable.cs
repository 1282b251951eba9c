using System.Globalization;
using System.Text;
using System.Text.Json;
using PolyGlot.Evaluation.Running;

namespace PolyGlot.Evaluation.Reporting;

/// <summary>The results as the harness prints them: one row per task, language and metric with its standard error; and as JSON.</summary>
public static class ResultTable
{
    /// <summary>A fixed-width text table.</summary>
    public static string Text(IReadOnlyList<TaskResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"task",-28} {"lang",-6} {"shots",5} {"n",6} {"metric",-16} {"value",10} {"stderr",10}");
        foreach (var result in results)
            foreach (var metric in result.Metrics)
                text.AppendLine($"{result.Task,-28} {result.Language,-6} {result.NumFewshot,5} {result.Samples,6} {metric.Name,-16} " +
                                $"{F(metric.Value),10} {F(metric.StandardError),10}");
        return text.ToString();
    }

    /// <summary>JSON: per task its language, few-shot count, samples, metrics with standard errors and, when logged, the per-sample records.</summary>
    public static string Json(string checkpoint, IReadOnlyList<TaskResult> results) => JsonSerializer.Serialize(new
    {
        checkpoint,
        results = results.Select(r => new
        {
            task = r.Task, language = r.Language, num_fewshot = r.NumFewshot, samples = r.Samples,
            metrics = r.Metrics.ToDictionary(m => m.Name, m => new { value = m.Value, stderr = double.IsNaN(m.StandardError) ? (double?)null : m.StandardError }),
            records = r.Records.Count > 0 ? r.Records : null,
        }),
    }, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    private static string F(double value) => double.IsNaN(value) ? "-" : value.ToString("F4", CultureInfo.InvariantCulture);
}
