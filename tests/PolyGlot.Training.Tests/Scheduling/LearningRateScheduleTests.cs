using PolyGlot.Training.Scheduling;

namespace PolyGlot.Training.Tests.Scheduling;

public sealed class LearningRateScheduleTests
{
    // PyTorch's CosineAnnealingLR is recursive, ours closed form: they agree to rounding error.
    private const double RelativeTolerance = 1e-9;

    [Theory]
    [InlineData("cosine", 6e-4, 6e-5, 20, 200)]
    [InlineData("cosine", 3e-4, 0.0, 1, 57)]
    [InlineData("linear", 1e-3, 1e-4, 10, 90)]
    [InlineData("constant", 2e-4, 2e-4, 5, 30)]
    public void MatchesTorchSchedulers_When_EveryStepCompared(string shape, double peak, double min, long warmup, long total)
    {
        // Given PyTorch's LinearLR warm-up followed by its CosineAnnealingLR / LinearLR / ConstantLR
        var expected = TorchLrReference.Rates(shape, peak, min, warmup, total);
        var schedule = new LearningRateSchedule(peak, min, warmup, total, Enum.Parse<DecayShape>(shape, ignoreCase: true));

        // Then every step from 0 to total agrees
        Assert.Equal(total + 1, expected.Length);
        for (var step = 0; step <= total; step++)
            Assert.True(Math.Abs(schedule.At(step) - expected[step]) <= RelativeTolerance * peak,
                $"step {step}: ours {schedule.At(step):R}, torch {expected[step]:R}");
    }

    [Fact]
    public void HoldsMinimum_When_PastTotalSteps()
    {
        var schedule = new LearningRateSchedule(1e-3, 1e-4, 10, 100, DecayShape.Cosine);

        Assert.Equal(1e-4, schedule.At(100));
        Assert.Equal(1e-4, schedule.At(5_000));
    }

    [Fact]
    public void ReachesPeak_When_LastWarmupStep()
    {
        var schedule = new LearningRateSchedule(1e-3, 0, 4, 100, DecayShape.Cosine);

        Assert.Equal([2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3], Enumerable.Range(0, 5).Select(s => schedule.At(s)));
    }

    [Fact]
    public void Refuses_When_MinAbovePeak()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1e-4, 1e-3, 0, 10, DecayShape.Cosine));
    }
}
