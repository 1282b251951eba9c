using System.Globalization;
using System.Text;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Cli.Progress;

/// <summary>One step's figures as a single human-readable line, shared by the live and plain displays.</summary>
public static class ProgressLine
{
    /// <summary>
    /// E.g. <c>step 120/300 | loss 4.1234 | lr 2.90e-03 | grad 0.84 | 12,345 tok/s | english 40% non-english 48% bilingual 12%</c>.
    /// Steps are shown as counted, from 1 (the 120th of 300).
    /// </summary>
    public static string Format(StepMetrics metrics, long totalSteps)
    {
        var c = CultureInfo.InvariantCulture;
        var line = new StringBuilder()
            .Append(c, $"step {metrics.Step}/{totalSteps}")
            .Append(c, $" | loss {metrics.Loss:F4}")
            .Append(c, $" | lr {metrics.Lr:0.00e+00}")
            .Append(c, $" | grad {metrics.GradNorm:F2}")
            .Append(c, $" | {metrics.TokensPerSecond:N0} tok/s");
        if (metrics.Mfu is { } mfu)
            line.Append(c, $" | MFU {mfu * 100:F1}%");
        if (metrics.CurriculumShares.Count > 0)
            line.Append(" | ").AppendJoin(' ', metrics.CurriculumShares.Select(s => string.Create(c, $"{s.Key} {s.Value * 100:F0}%")));
        if (metrics.Skipped)
            line.Append(" | skipped by the loss guard");
        return line.ToString();
    }

    /// <summary>E.g. <c>demo step 120/300 loss 4.1234 12,345 tok/s</c>: the live display's one-line summary.</summary>
    public static string FormatCompact(string runName, StepMetrics metrics, long totalSteps) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{runName} step {metrics.Step}/{totalSteps} loss {metrics.Loss:F4} {metrics.TokensPerSecond:N0} tok/s");
}
