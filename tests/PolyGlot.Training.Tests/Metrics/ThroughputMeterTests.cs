using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Tests.Metrics;

public sealed class ThroughputMeterTests
{
    [Fact]
    public void AveragesLastSteps_When_WindowFull()
    {
        var meter = new ThroughputMeter(windowSteps: 2);
        meter.Record(1000, 10); // slow first step, dropped from the window below
        meter.Record(1000, 1);
        meter.Record(3000, 1);

        Assert.Equal(2000, meter.TokensPerSecond);
    }

    [Fact]
    public void DividesByPeak_When_MfuAsked()
    {
        var meter = new ThroughputMeter();
        meter.Record(10_000, 1);

        // 10,000 tokens/s x 5e9 FLOPs/token = 5e13 of a 1e14 peak
        Assert.Equal(0.5, meter.Mfu(5e9, 1e14), 12);
    }
}
