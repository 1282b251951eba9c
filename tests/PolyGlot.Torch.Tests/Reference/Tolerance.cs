namespace PolyGlot.Torch.Tests.Reference;

/// <summary>Element-wise comparison with a relative tolerance, reporting the worst element.</summary>
internal static class Tolerance
{
    /// <summary>
    /// Asserts |actual - expected| &lt;= relative * max(|expected|, floor * max|expected|) for every
    /// element: relative error per element, with values far below the tensor's scale compared
    /// against a fraction (<paramref name="floor"/>) of that scale instead of their own tiny magnitude.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what, double floor = 0.1)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (var e in expected)
            scale = Math.Max(scale, Math.Abs(e));
        var worst = -1;
        double worstRatio = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = relative * Math.Max(Math.Abs(expected[i]), floor * scale);
            var error = Math.Abs(actual[i] - (double)expected[i]);
            var ratio = bound == 0 ? (error == 0 ? 0 : double.PositiveInfinity) : error / bound;
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        Assert.True(worstRatio <= 1,
            $"{what}: element {worst} is {(worst >= 0 ? actual[worst] : 0)}, expected {(worst >= 0 ? expected[worst] : 0)} " +
            $"(error {worstRatio:F2}x the tolerance {relative} relative)");
    }
}
