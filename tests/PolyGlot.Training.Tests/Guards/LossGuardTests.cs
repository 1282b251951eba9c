using PolyGlot.Training.Configuration;
using PolyGlot.Training.Guards;

namespace PolyGlot.Training.Tests.Guards;

public sealed class LossGuardTests
{
    private static LossGuard Guard() => new(new GuardConfig { SpikeFactor = 3, SpikeWindow = 3, MaxSkippedSteps = 2 });

    [Theory]
    [InlineData(double.NaN, 1.0)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(2.0, double.NaN)]
    public void SkipsStep_When_LossOrGradNormNotFinite(double loss, double gradNorm)
    {
        // Given a fresh guard
        var guard = Guard();

        // When a step has a non-finite loss or gradient norm
        var verdict = guard.Judge(loss, gradNorm);

        // Then it is skipped and counted
        Assert.Equal(GuardVerdict.NonFinite, verdict);
        Assert.Equal(1, guard.SkippedSteps);
    }

    [Fact]
    public void SkipsSpike_When_LossExceedsFactorTimesFullWindowMean()
    {
        // Given three accepted losses of 2 (a full window, mean 2)
        var guard = Guard();
        foreach (var _ in Enumerable.Range(0, 3))
            guard.Judge(2, 1);

        // When the next loss is 6.5 (> 3 x 2) and then 5.9
        var spike = guard.Judge(6.5, 1);
        var normal = guard.Judge(5.9, 1);

        // Then the first is skipped as a spike, the second accepted
        Assert.Equal(GuardVerdict.Spike, spike);
        Assert.Equal(GuardVerdict.Accept, normal);
    }

    [Fact]
    public void AcceptsLargeLoss_When_WindowNotYetFull()
    {
        // Given two accepted losses (window of three not full)
        var guard = Guard();
        guard.Judge(2, 1);
        guard.Judge(2, 1);

        // When a loss of 100 follows, then the guard stops judging spikes only from a full window
        Assert.Equal(GuardVerdict.Accept, guard.Judge(100, 1));
    }

    [Fact]
    public void AsksToStop_When_MaxConsecutiveStepsSkipped()
    {
        // Given a guard that stops after 2 skipped steps in a row
        var guard = Guard();

        // When a skip, an accepted step, then two skips follow
        guard.Judge(double.NaN, 1);
        guard.Judge(2, 1);
        var afterOne = guard.ShouldStop;
        guard.Judge(double.NaN, 1);
        guard.Judge(double.NaN, 1);

        // Then only the two consecutive skips stop the run
        Assert.False(afterOne);
        Assert.True(guard.ShouldStop);
        Assert.Equal(3, guard.SkippedSteps);
    }

    [Fact]
    public void DecidesAsOriginal_When_RestoredFromSavedState()
    {
        // Given a guard with history, and a second guard restored from its saved state
        var original = Guard();
        foreach (var loss in new[] { 2.1, 1.9, double.NaN, 2.3, 1.7 })
            original.Judge(loss, 1);
        var restored = Guard();
        restored.Restore(original.Window, original.SkippedSteps, original.ConsecutiveSkipped);

        // When both judge the same losses
        var losses = new[] { 6.0, 5.9, 2.0, 6.2 };

        // Then they decide identically
        Assert.Equal(losses.Select(l => original.Judge(l, 1)), losses.Select(l => restored.Judge(l, 1)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(original.WindowMean), BitConverter.DoubleToInt64Bits(restored.WindowMean));
    }
}
