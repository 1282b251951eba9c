using static PolyGlot.Training.Planning.ByteSize;

namespace PolyGlot.Training.Planning;

/// <summary>
/// A <see cref="MemoryPlan"/> as text: the full form <c>polyglot doctor</c> prints, one line per item
/// with its arithmetic, and the short form <c>polyglot train</c> logs at the start of a run.
/// </summary>
public static class MemoryPlanText
{
    /// <summary>The full plan: settings, one line per item, the peak against the device, the verdict and the smallest change that fits.</summary>
    public static IReadOnlyList<string> Lines(MemoryPlan plan)
    {
        var lines = new List<string>
        {
            $"memory plan         {Settings(plan)}",
            $"                    attention {Kernel(plan.Target.Attention)}, AdamW {(plan.Target.FusedAdamW ? "fused" : "multi-tensor")} ({plan.Target.Note})",
        };
        lines.AddRange(plan.Items.Select(item => $"  {item.Name,-17} {Format(item.Bytes),9}  {item.Arithmetic}"));
        lines.Add($"  {"peak per rank",-17} {Format(plan.Total),9}  max(forward/backward {Format(plan.TrainingPeak)}, optimizer step {Format(plan.StepPeak)})");
        lines.Add($"  {"device memory",-17} {Verdict(plan)}");
        if (plan.Fits == false)
            lines.Add($"  {"smallest change",-17} {Change(plan)}");
        return lines;
    }

    /// <summary>The short form: the items and the verdict on one line, the change that fits on a second when it does not.</summary>
    public static IReadOnlyList<string> Summary(MemoryPlan plan)
    {
        var items = string.Join(", ", plan.Items.Where(i => i.Bytes > 0).Select(i => $"{i.Name} {Format(i.Bytes)}"));
        var lines = new List<string> { $"memory per rank ({Settings(plan)}): {items}; peak {Format(plan.Total)}; {Verdict(plan)}" };
        if (plan.Fits == false)
            lines.Add($"memory: smallest change that fits: {Change(plan)}");
        return lines;
    }

    private static string Settings(MemoryPlan plan)
    {
        var s = plan.Settings;
        return $"{plan.Run} on {Count(s.WorldSize)} rank{(s.WorldSize == 1 ? "" : "s")}: zero {s.Zero}, {plan.Precision} on {(plan.Target.Cuda ? "cuda" : "cpu")}, " +
               $"micro-batch {Count(s.MicroBatchSize)} x {Count(plan.SeqLen)} positions, accumulation {Count(plan.Accumulation)}, " +
               $"activation checkpointing {(s.ActivationCheckpointing ? "on" : "off")}";
    }

    private static string Kernel(AttentionKernel kernel) => kernel == AttentionKernel.Math ? "math (keeps B x H x T x T)" : "fused";

    private static string Verdict(MemoryPlan plan)
    {
        if (plan.Device is not { } device)
            return "unknown (no device memory: pass --device-memory, e.g. 80GB)";
        var fits = plan.Fits == true ? "fits" : "does not fit";
        return $"{Format(device.Bytes)} ({device.Source}), {Format(plan.Usable!.Value)} after {(int)Math.Round(MemoryPlanner.Headroom * 100)}% headroom: {fits}";
    }

    private static string Change(MemoryPlan plan) => plan.Suggestion is { } s
        ? $"{s.Change}: peak {Format(s.Plan.Total)} per rank, fits"
        : "none found (tried ZeRO-3, activation checkpointing, micro-batch 1 and ranks up to the global batch)";
}
