using PolyGlot.Torch;
using PolyGlot.Training.Distributed;

namespace PolyGlot.Training.Trainer;

/// <summary>
/// Loss sums per language accumulated on the training device between logging steps, so that a
/// step never waits for the device to report them: token losses are added by language id with
/// <c>index_add_</c>, token counts are known on the host. <see cref="Take"/> reads them once (summed
/// over ranks first) and starts a new window.
/// </summary>
internal sealed class LanguageLossWindow : IDisposable
{
    private readonly Tensor _sums;
    private readonly long[] _counts;

    public LanguageLossWindow(int languages, Device device)
    {
        using var noGrad = new NoGradScope();
        _sums = Tensor.Zeros([languages], DType.Float64, device).Keep();
        _counts = new long[languages];
    }

    /// <summary>
    /// Adds (N) token losses whose targets have the (N) language ids given on the device (an ignored
    /// target's loss is 0), and the host's count of predicted targets per language id.
    /// </summary>
    public void Add(Tensor tokenLosses, Tensor languageIds, ReadOnlySpan<long> targetsPerLanguage)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        _sums.IndexAddInPlace(0, languageIds, tokenLosses.To(DType.Float64));
        for (var id = 0; id < targetsPerLanguage.Length; id++)
            _counts[id] += targetsPerLanguage[id];
    }

    /// <summary>The window's sums and counts (of all ranks of <paramref name="parallel"/>), in one read; then empties the window.</summary>
    public LanguageLosses Take(DataParallel? parallel)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGradScope();
        var counts = Tensor.FromArray(_counts.Select(c => (double)c).ToArray(), _counts.Length).To(_sums.Device);
        var vector = Tensor.Cat([_sums, counts]);
        parallel?.SumInPlace(vector, "per-language loss sum");
        var losses = new LanguageLosses(_counts.Length);
        losses.SetFromVector(vector.ToArray<double>());
        _sums.Zero();
        Array.Clear(_counts);
        return losses;
    }

    public void Dispose() => _sums.Dispose();
}
