using PolyGlot.Data.Curriculum;

namespace PolyGlot.Data.Tests.Curriculum;

public sealed class CurriculumScheduleTests
{
    private static readonly CurriculumSchedule StepThenLinear = new(
    [
        new CurriculumStage(1000, StageTransition.Step, [0.7, 0.3]),
        new CurriculumStage(2000, StageTransition.Step, [0.4, 0.6]),
        new CurriculumStage(3000, StageTransition.Linear, [0.0, 1.0]),
    ]);

    [Fact]
    public void WeightsChangeAtTheStageEnd_When_TheTransitionIsAStep()
    {
        Assert.Equal([0.7, 0.3], StepThenLinear.WeightsAt(999));
        Assert.Equal([0.4, 0.6], StepThenLinear.WeightsAt(1000));
    }

    [Fact]
    public void WeightsRampFromThePreviousStage_When_TheTransitionIsLinear()
    {
        // Halfway through stage 3: halfway between [0.4, 0.6] and [0, 1]
        var weights = StepThenLinear.WeightsAt(2500);
        Assert.Equal(0.2, weights[0], 12);
        Assert.Equal(0.8, weights[1], 12);
    }

    [Fact]
    public void TheLastStageHolds_When_TheRunGoesPastItsEnd()
    {
        Assert.Equal([0.0, 1.0], StepThenLinear.WeightsAt(10_000));
        Assert.Equal(2, StepThenLinear.StageAt(10_000));
    }

    [Fact]
    public void Throws_When_StagesAreOutOfOrder()
    {
        Assert.Throws<ArgumentException>(() => new CurriculumSchedule(
        [
            new CurriculumStage(2000, StageTransition.Step, [1.0]),
            new CurriculumStage(1000, StageTransition.Step, [1.0]),
        ]));
    }
}
