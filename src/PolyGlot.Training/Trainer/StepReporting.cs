using PolyGlot.Data.Loading;
using PolyGlot.Model.Configuration;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Trainer;

/// <summary>Turns a finished step into its metrics line and its realised data-group shares.</summary>
internal static class StepReporting
{
    public static StepMetrics Metrics(TrainerState state, Batch batch, StepResult result, LoaderPlan plan, long tokensBefore,
        double seconds, ThroughputMeter meter, double? peakFlops, ModelConfig model, int seqLen)
    {
        var weights = plan.Schedule.WeightsAt(tokensBefore);
        return new StepMetrics
        {
            Step = state.Step - 1,   // 0-based index of the step just trained
            Loss = result.Loss,
            LossPerLanguage = result.Losses.MeanPerLanguage(batch.Languages),
            Lr = result.LearningRate,
            GradNorm = result.GradNorm,
            TokensPerSecond = meter.TokensPerSecond,
            Mfu = peakFlops is { } peak ? meter.Mfu(ModelSize.FlopsPerToken(model, seqLen), peak) : null,
            CurriculumShares = plan.Groups.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => weights[p.i], StringComparer.Ordinal),
            TokensPerLanguage = state.TokensPerLanguage,
            TokensConsumed = state.TokensConsumed,
            Skipped = result.Skipped,
            StepSeconds = seconds,
        };
    }

    /// <summary>
    /// The share of the global batch's sequences drawn from each data group: this rank's rows, or
    /// with several ranks, the rows of all of them (summed over the group).
    /// </summary>
    public static IReadOnlyDictionary<string, double> GroupShares(Batch batch, LoaderPlan plan, DataParallel? parallel = null)
    {
        var rows = new double[plan.Groups.Count];
        foreach (var source in batch.SourceIds)
            for (var g = 0; g < rows.Length; g++)
                if (plan.Groups[g] == plan.Sources[source].Group)
                    rows[g] += 1;
        var total = (double)batch.Rows;
        if (parallel is not null)
        {
            parallel.Sum(rows);
            total *= parallel.WorldSize;
        }
        return plan.Groups.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => rows[p.i] / total, StringComparer.Ordinal);
    }
}
