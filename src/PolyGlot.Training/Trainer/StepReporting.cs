using PolyGlot.Data.Loading;
using PolyGlot.Model.Configuration;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Trainer;

/// <summary>Turns a finished step into its metrics line and its realised data-group shares.</summary>
internal static class StepReporting
{
    public static StepMetrics Metrics(TrainerState state, Batch batch, StepResult result, LoaderPlan plan, long tokensBefore,
        double seconds, ThroughputMeter meter, double? peakFlops, ModelConfig model, int seqLen)
    {
        // Group weights need not sum to 1 (without a curriculum they are the groups' sizes); the
        // metrics carry shares.
        var weights = plan.Schedule.WeightsAt(tokensBefore);
        var total = weights.Sum();
        return new StepMetrics
        {
            Step = state.Step,   // the step just trained, counted from 1 as in the log
            Loss = result.Loss,
            LossPerLanguage = result.Losses?.MeanPerLanguage(batch.Languages) ?? new Dictionary<string, double>(),
            Lr = result.LearningRate,
            GradNorm = result.GradNorm,
            TokensPerSecond = meter.TokensPerSecond,
            Mfu = peakFlops is { } peak ? meter.Mfu(ModelSize.FlopsPerToken(model, seqLen), peak) : null,
            CurriculumShares = plan.Groups.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => total > 0 ? weights[p.i] / total : 0.0, StringComparer.Ordinal),
            TokensPerLanguage = state.TokensPerLanguage,
            TokensConsumed = state.TokensConsumed,
            Skipped = result.Skipped,
            StepSeconds = seconds,
            GradBuckets = result.GradientBuckets,
            GradBucketsDuringBackward = result.GradientBucketsDuringBackward,
        };
    }

    /// <summary>The share of the global batch's sequences (all ranks' slices) drawn from each data group.</summary>
    public static IReadOnlyDictionary<string, double> GroupShares(Batch batch, LoaderPlan plan)
    {
        var shares = plan.Groups.ToDictionary(g => g, _ => 0.0, StringComparer.Ordinal);
        var total = (double)batch.GlobalRowsPerSource.Sum();
        for (var source = 0; source < batch.GlobalRowsPerSource.Length; source++)
            shares[plan.Sources[source].Group] += batch.GlobalRowsPerSource[source] / total;
        return shares;
    }
}
