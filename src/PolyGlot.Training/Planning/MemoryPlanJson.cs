using System.Text.Encodings.Web;
using System.Text.Json;
using PolyGlot.Common.IO;

namespace PolyGlot.Training.Planning;

/// <summary>
/// A <see cref="MemoryPlan"/> as JSON (snake_case keys, as <c>metrics.jsonl</c>): the settings, every
/// item in bytes with its arithmetic, the peaks, the device memory, the verdict (<c>fits</c>: true,
/// false, or null without a device memory) and the suggested change with its own plan.
/// </summary>
public static class MemoryPlanJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // The arithmetic's "+" and "->" as written, not as \u002B escapes (the file is not embedded in HTML).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The plan as an indented JSON object.</summary>
    public static string Serialize(MemoryPlan plan) => JsonSerializer.Serialize(Shape(plan), Options);

    /// <summary>Writes <see cref="Serialize"/> to <paramref name="path"/> (replaced whole, never half written).</summary>
    public static void Write(MemoryPlan plan, string path) => AtomicFile.WriteAllText(path, Serialize(plan) + "\n");

    private static object Shape(MemoryPlan plan) => new
    {
        plan.Run,
        Settings = new
        {
            plan.Settings.WorldSize,
            plan.Settings.Zero,
            plan.Settings.MicroBatchSize,
            plan.Settings.ActivationCheckpointing,
        },
        plan.Accumulation,
        plan.SeqLen,
        plan.ParameterCount,
        plan.Precision,
        Target = new
        {
            Device = plan.Target.Cuda ? "cuda" : "cpu",
            Attention = plan.Target.Attention == AttentionKernel.Math ? "math" : "fused",
            Optimizer = plan.Target.FusedAdamW ? "fused" : "multi-tensor",
            plan.Target.Note,
        },
        Items = plan.Items.Select(i => new { i.Name, i.Bytes, i.Arithmetic }),
        ActivationsPlainBytes = plan.ActivationsPlain,
        ActivationsCheckpointedBytes = plan.ActivationsCheckpointed,
        TrainingPeakBytes = plan.TrainingPeak,
        StepPeakBytes = plan.StepPeak,
        TotalBytes = plan.Total,
        DeviceMemory = plan.Device is { } d ? new { d.Bytes, d.Source } : null,
        UsableBytes = plan.Usable,
        plan.Fits,
        Suggestion = plan.Suggestion is { } s ? new { s.Change, Plan = Shape(s.Plan) } : null,
    };
}
