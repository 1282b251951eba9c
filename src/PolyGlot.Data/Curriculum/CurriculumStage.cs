namespace PolyGlot.Data.Curriculum;

/// <summary>
/// One resolved curriculum stage: it ends after <see cref="EndTokens"/> tokens have been
/// consumed in all, and holds one weight per group (indexed like the mixing plan's groups).
/// </summary>
/// <param name="EndTokens">Tokens consumed (since the start of the run) at which the stage ends; <see cref="long.MaxValue"/> for an open end.</param>
/// <param name="Transition">How the weights take over from the previous stage.</param>
/// <param name="GroupWeights">Weight per group, normalized to sum to 1.</param>
public sealed record CurriculumStage(long EndTokens, StageTransition Transition, IReadOnlyList<double> GroupWeights);
