namespace PolyGlot.Data.Loading;

/// <summary>
/// How often a source has been repeated so far: repetition matters for low-resource languages,
/// whose few tokens an up-weighting curriculum cycles through many times.
/// </summary>
/// <param name="Source">The source name.</param>
/// <param name="CompletedEpochs">Full passes finished (the current pass's reshuffle is seeded by it).</param>
/// <param name="Passes">Tokens delivered from the source divided by the tokens it holds.</param>
public sealed record SourceEpochs(string Source, long CompletedEpochs, double Passes)
{
    /// <summary>The epochs of every source of <paramref name="plan"/> in <paramref name="state"/>.</summary>
    public static IReadOnlyList<SourceEpochs> Of(LoaderPlan plan, DataState state) =>
        plan.Sources.Select((source, i) => new SourceEpochs(
            source.Name, state.Sources[i].Epoch, (double)state.Sources[i].TokensConsumed / source.Tokens)).ToList();
}
