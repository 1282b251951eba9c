using PolyGlot.Training.Reporting;

namespace PolyGlot.Training.Tests.Reporting;

public sealed class AxisScaleTests
{
    [Theory]
    [InlineData(0, 300, 8)]
    [InlineData(0, 152_588, 8)]
    [InlineData(0.0003, 0.003, 6)]
    [InlineData(-1.5, 2.7, 6)]
    public void GivesFewRoundTicksCoveringTheRange_When_Linear(double min, double max, int maxTicks)
    {
        var scale = AxisScale.Create(min, max, log: false, 0, 600, maxTicks);

        Assert.InRange(scale.Ticks.Count, 2, maxTicks);
        Assert.True(scale.Ticks[0] <= min && scale.Ticks[^1] >= max);
        var step = scale.Ticks[1] - scale.Ticks[0];
        var mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2, 5 });
    }

    [Fact]
    public void GivesFewTicksAroundTheValue_When_RangeIsFlatToTheLastBit()
    {
        // Given a constant learning rate whose bucket means differ by one unit in the last place
        var value = 3e-4;
        var scale = AxisScale.Create(value, Math.BitIncrement(value), log: false, 0, 200, 6);

        Assert.InRange(scale.Ticks.Count, 2, 6);
        Assert.True(scale.Ticks[0] < value && scale.Ticks[^1] > value);
    }

    [Theory]
    [InlineData(2.9, 9.1)]
    [InlineData(0.01, 100)]
    [InlineData(1e-6, 1e6)]
    public void GivesTicksInsideTheRange_When_Log(double min, double max)
    {
        var scale = AxisScale.Create(min, max, log: true, 200, 0, 7);

        Assert.InRange(scale.Ticks.Count, 2, 7);
        Assert.All(scale.Ticks, t => Assert.InRange(t, min, max));
        Assert.Equal(200, scale.Pixel(min), 6);
        Assert.Equal(0, scale.Pixel(max), 6);
        Assert.Equal(100, scale.Pixel(Math.Sqrt(min * max)), 6);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(2.5, "2.5")]
    [InlineData(300, "300")]
    [InlineData(12_000, "12k")]
    [InlineData(2_500_000, "2.5M")]
    [InlineData(0.0003, "3e-4")]
    public void FormatsShortLabels_When_ValuesSpanMagnitudes(double value, string expected) =>
        Assert.Equal(expected, AxisScale.Format(value));
}
