namespace PolyGlot.Model.Tests.Reference;

/// <summary>Element-wise float32 comparison: |actual - expected| &lt;= absolute + relative · |expected|.</summary>
internal static class Tolerance
{
    /// <summary>The numerics tolerance of the model tests: 1e-5 relative plus 1e-6 absolute, per element.</summary>
    public const double Relative = 1e-5, Absolute = 1e-6;

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} elements, the reference has {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = Absolute + Relative * Math.Abs(expected[i]);
            var error = Math.Abs(actual[i] - (double)expected[i]);
            Assert.True(error <= bound,
                $"{what}[{i}] = {actual[i]:R}, reference {expected[i]:R}: error {error:E2} exceeds {bound:E2} (1e-5 relative + 1e-6 absolute)");
        }
    }
}
