using PolyGlot.Model;
using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Training.Tests.Trainer;

[Collection(TorchStateCollection.Name)]
public sealed class WeightsOnlyResumeTests
{
    [Fact]
    public void LossesEqualAFreshRunBitForBit_When_ResumedFromWeightsOnlyCheckpointOfTheInitialWeights()
    {
        // Given a fresh 6-step run, and a weights-only checkpoint holding exactly the weights that run starts from
        using var fresh = new TrainerHarness(totalSteps: 6);
        var expected = fresh.Train(resume: new ResumeRequest(ResumeMode.None)).Losses;
        using var imported = new TrainerHarness(totalSteps: 6);
        var checkpoint = SaveWeightsOnly(imported, seed: (ulong)imported.Config.Training.Seed, trainSteps: 0);

        // When a run resumes from that checkpoint
        var outcome = imported.Train(resume: new ResumeRequest(ResumeMode.Path, checkpoint));

        // Then it starts at step 1 with a fresh optimizer and data state, says so, and every loss equals the fresh run's
        Assert.Equal(1, imported.Observer.Starts[0].FirstStep);
        Assert.Null(imported.Observer.Starts[0].ResumedFrom);
        Assert.Contains(imported.Observer.Warnings, w => w.Contains("fresh optimizer, data and RNG state", StringComparison.Ordinal));
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), outcome.Losses.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void FirstLossIsThatOfTheCheckpointWeights_When_ResumedFromWeightsOnlyCheckpoint()
    {
        // Given weights trained for 8 steps, saved as a weights-only checkpoint, and a fresh run for comparison
        using var fresh = new TrainerHarness(totalSteps: 4, dropout: 0);
        var freshFirst = fresh.Train(resume: new ResumeRequest(ResumeMode.None)).Losses[0];
        using var imported = new TrainerHarness(totalSteps: 4, dropout: 0);
        var checkpoint = SaveWeightsOnly(imported, seed: 99, trainSteps: 8);

        // When a run resumes from it
        var outcome = imported.Train(resume: new ResumeRequest(ResumeMode.Path, checkpoint));

        // Then training starts from the trained weights: the first loss is far below a fresh model's
        Assert.True(outcome.Losses[0] < freshFirst - 0.5, $"first loss {outcome.Losses[0]:F3} vs fresh {freshFirst:F3}");
        Assert.Equal(4, outcome.Step);
    }

    /// <summary>Weights-only checkpoint of a model created with <paramref name="seed"/>, trained <paramref name="trainSteps"/> steps by another run when above 0.</summary>
    private static string SaveWeightsOnly(TrainerHarness harness, ulong seed, int trainSteps)
    {
        var root = Path.Combine(harness.RunDirectory, "imported");
        using var donor = new TrainerHarness(totalSteps: Math.Max(trainSteps, 1), dropout: 0);
        if (trainSteps > 0)
            donor.Train();
        return TrainingThread.Run(() =>
        {
            using var model = TransformerModel.Create(harness.Config.Model, Device.Cpu, seed);
            if (trainSteps > 0)
            {
                var trained = Checkpoint.Load(new CheckpointStore(donor.CheckpointDirectory).FindNewestValid()!.Directory);
                using var weights = trained.OpenModel();
                using var noGrad = new NoGradScope();
                foreach (var parameter in model.Parameters)
                    weights.CopyInto(parameter.Name, parameter.Tensor);
            }
            return new CheckpointStore(root).Save(
                CheckpointData.WeightsOf(model, "name: imported\n", CheckpointCompatibility.Of(harness.Config.Model, TrainerHarness.TokenizerSha)), keepLast: 1);
        });
    }
}
