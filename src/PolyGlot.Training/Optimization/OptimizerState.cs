using PolyGlot.Model.Parameters;

namespace PolyGlot.Training.Optimization;

/// <summary>The names of AdamW's state in a checkpoint, one home for every writer and reader.</summary>
internal static class OptimizerState
{
    /// <summary>The tensor that holds AdamW's step count (int64, one element).</summary>
    public const string StepCount = "adamw.step";

    /// <summary>The first moment of <paramref name="parameter"/>.</summary>
    public static string ExpAvg(ModelParameter parameter) => "exp_avg." + parameter.Name;

    /// <summary>The second moment of <paramref name="parameter"/>.</summary>
    public static string ExpAvgSq(ModelParameter parameter) => "exp_avg_sq." + parameter.Name;
}
