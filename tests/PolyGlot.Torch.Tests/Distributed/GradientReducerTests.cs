using PolyGlot.Torch.Distributed;

namespace PolyGlot.Torch.Tests.Distributed;

public sealed class GradientReducerTests
{
    [Fact]
    public void GradientsEqualThoseAveragedAfterBackward_When_BucketsStartDuringBackward()
    {
        // Given two ranks (threads) with the same parameters and different inputs, one bucket per parameter
        var results = ProcessGroupTests.RunRanks(2, group =>
        {
            using var scope = DisposeScope.Enter();
            var parameters = Parameters();
            using var reducer = new GradientReducer(group, parameters.Reverse().ToList(), bucketBytes: 8, scale: 0.5);

            // When one backward runs armed, and the same backward again averaged afterwards
            reducer.Arm();
            Loss(parameters, group.Rank).Backward();
            reducer.Finish();
            var overlapped = parameters.Select(p => p.Grad!.ToArray<float>()).ToList();
            foreach (var p in parameters)
                p.Grad = null;
            Loss(parameters, group.Rank).Backward();
            group.AllReduceGradients(parameters, bucketBytes: 8, scale: 0.5);
            var afterwards = parameters.Select(p => p.Grad!.ToArray<float>()).ToList();
            return (overlapped, afterwards, reducer.StartedInBackward, reducer.ReducedAgain);
        });

        // Then both give the same bits on every rank, and every bucket started inside backward
        foreach (var (overlapped, afterwards, started, again) in results)
        {
            Assert.Equal(afterwards, overlapped);
            Assert.Equal((3L, 0L), (started, again));
        }
        Assert.Equal(results[0].overlapped, results[1].overlapped);
    }

    [Fact]
    public void AWeightAccumulatedTwiceIsReducedWhole_When_BackwardRunsInTwoCalls()
    {
        // Given a weight used by two losses whose backward runs in two calls (as activation checkpointing does)
        var results = ProcessGroupTests.RunRanks(2, group =>
        {
            using var scope = DisposeScope.Enter();
            var parameters = Parameters();
            using var reducer = new GradientReducer(group, parameters.Reverse().ToList(), bucketBytes: 1 << 20, scale: 0.5);
            var steps = new List<(List<float[]> Overlapped, List<float[]> Afterwards, long Again)>();
            for (var step = 0; step < 2; step++)
            {
                // When two steps run armed, each checked against averaging after backward
                foreach (var p in parameters)
                    p.Grad = null;
                reducer.Arm();
                TwoCallBackward(parameters, group.Rank);
                reducer.Finish();
                var overlapped = parameters.Select(p => p.Grad!.ToArray<float>()).ToList();
                foreach (var p in parameters)
                    p.Grad = null;
                TwoCallBackward(parameters, group.Rank);
                group.AllReduceGradients(parameters, bucketBytes: 1 << 20, scale: 0.5);
                steps.Add((overlapped, parameters.Select(p => p.Grad!.ToArray<float>()).ToList(), reducer.ReducedAgain));
            }
            return steps;
        });

        // Then the gradients are the full averages; the first step reduces the bucket again, the second
        // expects the second accumulation and does not
        foreach (var steps in results)
        {
            Assert.All(steps, s => Assert.Equal(s.Afterwards, s.Overlapped));
            Assert.Equal([1L, 0L], steps.Select(s => s.Again));
        }
    }

    [Fact]
    public void FinishSaysArmFirst_When_TheReducerWasNotArmed()
    {
        var error = ProcessGroupTests.RunRanks(1, group =>
        {
            using var scope = DisposeScope.Enter();
            using var reducer = new GradientReducer(group, Parameters(), bucketBytes: 64, scale: 1.0);
            return Assert.Throws<TorchException>(reducer.Finish);
        }).Single();

        Assert.Contains("not armed before backward", error.Message);
    }

    // w1 (4x3), w2 (3x2), b (2), identical on every rank.
    private static Tensor[] Parameters()
    {
        Tensor Make(int n, long[] shape, float step)
        {
            var t = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (i - n / 2f) * step).ToArray(), shape);
            t.RequiresGrad = true;
            return t;
        }
        return [Make(12, [4, 3], 0.1f), Make(6, [3, 2], 0.2f), Make(2, [2], 0.3f)];
    }

    private static Tensor Input(int rank, long rows) =>
        Tensor.FromArray(Enumerable.Range(0, (int)rows * 4).Select(i => (i % 7 - 3) * (rank + 1) / 5f).ToArray(), rows, 4);

    private static Tensor Loss(Tensor[] p, int rank) =>
        (Input(rank, 5).MatMul(p[0]).Tanh().MatMul(p[1]) + p[2]).Square().Sum();

    // The first weight takes part in both losses; each loss gets its own backward call.
    private static void TwoCallBackward(Tensor[] p, int rank)
    {
        Loss(p, rank).Backward();
        Input(rank + 2, 3).MatMul(p[0]).Square().Sum().Backward();
    }
}
