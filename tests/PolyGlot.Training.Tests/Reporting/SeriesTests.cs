using PolyGlot.Training.Reporting;

namespace PolyGlot.Training.Tests.Reporting;

public sealed class SeriesTests
{
    [Fact]
    public void FollowsAStepWithinSpan_When_Smoothing()
    {
        // Given 0 for 50 steps then 1: after about 2 spans an EMA has moved over 80% of the way
        var points = Enumerable.Range(0, 100).Select(i => ((double)i, i < 50 ? 0.0 : 1.0)).ToList();

        var smoothed = Series.Ema(points, span: 10);

        Assert.Equal(0, smoothed[49].Y);
        Assert.InRange(smoothed[52].Y, 0.1, 0.7);
        Assert.InRange(smoothed[70].Y, 0.8, 1.0);
    }

    [Fact]
    public void StartsAtTheFirstValue_When_Smoothing()
    {
        var smoothed = Series.Ema([(0, 5.0), (1, double.NaN), (2, 5.0)], span: 50);

        Assert.Equal(5, smoothed[0].Y, 12);
        Assert.True(double.IsNaN(smoothed[1].Y));
        Assert.Equal(5, smoothed[2].Y, 12);
    }

    [Fact]
    public void KeepsTheMeanWithinBudget_When_Thinning()
    {
        var points = Enumerable.Range(0, 10_000).Select(i => ((double)i, (double)(i % 7))).ToList();

        var thin = Series.Thin(points, 800);

        Assert.InRange(thin.Count, 700, 800);
        Assert.Equal(points.Average(p => p.Item2), thin.Average(p => p.Y), 1);
    }
}
