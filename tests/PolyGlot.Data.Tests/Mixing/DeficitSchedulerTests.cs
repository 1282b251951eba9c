using PolyGlot.Data.Mixing;

namespace PolyGlot.Data.Tests.Mixing;

public sealed class DeficitSchedulerTests
{
    [Fact]
    public void PicksFollowAFixedPattern_When_SharesAreThreeToOne()
    {
        // Given shares 0.75 / 0.25
        var scheduler = new DeficitScheduler(2);
        var shares = FixedShares.FromWeights([0.75, 0.25]);

        // When eight sequences are scheduled
        var picks = Enumerable.Range(0, 8).Select(_ => scheduler.Next(shares)).ToArray();

        // Then the pattern is exact and repeats every four picks
        Assert.Equal([0, 0, 1, 0, 0, 0, 1, 0], picks);
    }

    [Fact]
    public void RealisedCountsStayWithinOneSequencePerSource_When_AnyWindowIsMeasured()
    {
        // Given five sources with uneven shares, changed twice mid-way (a curriculum)
        double[][] phases = [[0.5, 0.2, 0.15, 0.1, 0.05], [0.1, 0.1, 0.2, 0.3, 0.3], [0.05, 0.05, 0.05, 0.05, 0.8]];
        var scheduler = new DeficitScheduler(5);
        var picks = new List<int>();
        var scheduled = new List<double[]>();
        foreach (var phase in phases)
        {
            var shares = FixedShares.FromWeights(phase);
            for (var k = 0; k < 997; k++)
            {
                picks.Add(scheduler.Next(shares));
                scheduled.Add(phase);
            }
        }

        // When every window [a, b) is compared with its scheduled share sum
        var worst = WorstDeviation(picks, scheduled, 5);

        // Then no source is ahead or behind by more than the number of sources (the stated bound)
        Assert.True(worst <= 5.0, $"worst deviation {worst} sequences");
    }

    [Fact]
    public void ASourceIsNeverPicked_When_ItsShareIsZero()
    {
        // Given a source with credit that is then switched off
        var scheduler = new DeficitScheduler(2);
        scheduler.Next(FixedShares.FromWeights([0.4, 0.6]));
        var off = FixedShares.FromWeights([1.0, 0.0]);

        // When more sequences are scheduled
        var picks = Enumerable.Range(0, 20).Select(_ => scheduler.Next(off)).ToArray();

        // Then only the remaining source is picked
        Assert.All(picks, p => Assert.Equal(0, p));
    }

    [Fact]
    public void ContinuesIdentically_When_RestoredFromItsCredits()
    {
        // Given a scheduler that has run 13 picks
        var shares = FixedShares.FromWeights([0.3, 0.3, 0.4]);
        var original = new DeficitScheduler(3);
        for (var k = 0; k < 13; k++)
            original.Next(shares);

        // When a copy is made from its credits
        var restored = new DeficitScheduler(original.Credits);

        // Then both pick the same sources from then on
        var a = Enumerable.Range(0, 50).Select(_ => original.Next(shares)).ToArray();
        var b = Enumerable.Range(0, 50).Select(_ => restored.Next(shares)).ToArray();
        Assert.Equal(a, b);
    }

    private static double WorstDeviation(List<int> picks, List<double[]> scheduled, int sources)
    {
        // prefix sums make every window O(1): deviation(a, b) = (R[b] - R[a]) - (S[b] - S[a])
        var worst = 0.0;
        for (var s = 0; s < sources; s++)
        {
            var diff = new double[picks.Count + 1];
            for (var k = 0; k < picks.Count; k++)
                diff[k + 1] = diff[k] + (picks[k] == s ? 1 : 0) - scheduled[k][s];
            worst = Math.Max(worst, diff.Max() - diff.Min());
        }
        return worst;
    }
}
