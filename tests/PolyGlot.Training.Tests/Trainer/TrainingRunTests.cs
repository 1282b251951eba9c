using PolyGlot.Torch.Runtime;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Training.Tests.Trainer;

[Collection(TorchStateCollection.Name)]
public sealed class TrainingRunTests
{
    [Fact]
    public void LaterLossesEqualUninterruptedRunBitForBit_When_StoppedAtStepKAndResumed()
    {
        // Given an uninterrupted 12-step run (with dropout, so the RNG state matters, and 2 micro-batches per step)
        using var uninterrupted = new TrainerHarness(totalSteps: 12);
        var expected = uninterrupted.Train().Losses;

        // When the same run stops after step 6 and resumes from its checkpoint
        using var resumed = new TrainerHarness(totalSteps: 12);
        var first = resumed.Train(maxSteps: 6);
        var second = resumed.Train();

        // Then the first part stopped at 6 and every later loss is identical, bit for bit
        Assert.Equal(TrainingEnd.ReachedMaxSteps, first.End);
        Assert.Equal(6, first.Step);
        Assert.Equal(TrainingEnd.Completed, second.End);
        Assert.Equal(12, expected.Count);
        Assert.Equal(expected.Skip(6).Select(BitConverter.DoubleToInt64Bits), second.Losses.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void SkipsCorruptCheckpointWithWarning_When_NewestIsDamaged()
    {
        // Given a run with checkpoints after steps 4 and 8, the newest one damaged
        using var harness = new TrainerHarness(totalSteps: 12);
        harness.Train(maxSteps: 8);
        var newest = Path.Combine(harness.CheckpointDirectory, CheckpointFiles.DirectoryName(8));
        var model = Path.Combine(newest, CheckpointFiles.Model);
        var bytes = File.ReadAllBytes(model);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(model, bytes);

        // When the run resumes automatically
        var outcome = harness.Train(maxSteps: 9);

        // Then the damaged checkpoint is named in a warning and the run continues from step 4
        Assert.Contains(harness.Observer.Warnings, w => w.Contains(newest));
        Assert.Equal(5, harness.Observer.Starts[^1].FirstStep);
        Assert.Equal(9, outcome.Step);
    }

    [Fact]
    public void RefusesResume_When_ModelShapeChanged()
    {
        // Given a run with a checkpoint
        using var harness = new TrainerHarness(totalSteps: 12);
        harness.Train(maxSteps: 4);

        // When the configuration's model width changes and the run resumes
        harness.Config.Model.DModel = 48;
        harness.Config.Model.NHeads = 2;
        var error = Assert.Throws<CheckpointException>(() => harness.Train());

        // Then the message names the key and both values
        Assert.Contains("model.d_model: the checkpoint has 32, the run has 48", error.Message);
    }

    [Fact]
    public void ReportsAlreadyComplete_When_RunAgainAfterTheEnd()
    {
        // Given a finished run
        using var harness = new TrainerHarness(totalSteps: 4);
        harness.Train();

        // When it is run again
        var outcome = harness.Train();

        // Then nothing is trained and the run says it is complete
        Assert.Equal(TrainingEnd.AlreadyComplete, outcome.End);
        Assert.Equal(4, outcome.Step);
        Assert.Empty(outcome.Losses);
    }

    [Fact]
    public void FinishesStepAndCheckpoints_When_StopRequested()
    {
        // Given a stop request that is already pending (as after SIGTERM)
        using var harness = new TrainerHarness(totalSteps: 12);
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        // When the run starts
        var outcome = harness.Train(stop: stop.Token);

        // Then it trains the step in flight, writes a checkpoint of it and returns
        Assert.Equal(TrainingEnd.Interrupted, outcome.End);
        Assert.Equal(1, outcome.Step);
        Assert.True(File.Exists(Path.Combine(harness.CheckpointDirectory, CheckpointFiles.DirectoryName(1), CheckpointFiles.Complete)));
    }

    [Fact]
    public void WritesOneMetricsLinePerStep_When_Resumed()
    {
        // Given a run stopped after step 3 and resumed to its end
        using var harness = new TrainerHarness(totalSteps: 8);
        harness.Train(maxSteps: 3);
        harness.Train();

        // Then metrics.jsonl holds steps 1..8 once each, with curriculum shares, and per-language
        // losses on the logging steps: the first, the last of each invocation (3 and 8)
        var lines = File.ReadAllLines(Path.Combine(harness.RunDirectory, MetricsWriter.FileName));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"\"step\":{i},"), lines.Select(l => l[l.IndexOf("\"step\"", StringComparison.Ordinal)..(l.IndexOf(',', l.IndexOf("\"step\"", StringComparison.Ordinal)) + 1)]));
        Assert.Equal([0, 2, 7], Enumerable.Range(0, 8).Where(i => lines[i].Contains("\"loss_per_language\":{\"de\":", StringComparison.Ordinal)));
        Assert.All(lines.Where((_, i) => i is not (0 or 2 or 7)), l => Assert.Contains("\"loss_per_language\":{}", l));
        Assert.All(lines, l => Assert.Contains("\"curriculum_shares\":{\"english\":0.5,\"non-english\":0.5}", l));
    }

    [Fact]
    public void ReadsTheDeviceOncePerStep_When_TheStepIsNotALoggingStep()
    {
        // Given a 12-step run that logs every 5 steps and checkpoints only at its end
        using var harness = new TrainerHarness(totalSteps: 12);
        harness.Config.Logging.LogEverySteps = 5;
        harness.Config.Checkpointing.EverySteps = 100;
        var reads = new List<long>();
        harness.Observer.AfterStep = _ => reads.Add(TorchRuntime.HostReads);

        // When it trains
        harness.Train();

        // Then between the reports of consecutive steps the bridge copied data to the host once,
        // twice on logging steps (loss, norm and stop flag; then the per-language window)
        Assert.Equal(12, reads.Count);
        for (var step = 2; step <= 12; step++)
        {
            var expected = step % 5 == 0 || step == 12 ? 2 : 1;
            Assert.True(reads[step - 1] - reads[step - 2] == expected, $"step {step}: {reads[step - 1] - reads[step - 2]} host reads, {expected} expected");
        }
    }

    [Fact]
    public void PerLanguageLossesAverageTheStepsSinceTheLastLog_When_ReadOnLoggingSteps()
    {
        // Given a run that logs every 3 steps, and one that logs every step
        using var sparse = new TrainerHarness(totalSteps: 6, dropout: 0);
        sparse.Config.Logging.LogEverySteps = 3;
        using var dense = new TrainerHarness(totalSteps: 6, dropout: 0);
        dense.Config.Logging.LogEverySteps = 1;

        // When both train
        sparse.Train();
        dense.Train();

        // Then the sparse run's loss of a language at step 6 is a token-weighted mean of the dense
        // run's steps 4-6 (the same numbers: no dropout): between their extremes, and not step 6's alone
        var perStep = dense.Observer.Steps.Select(s => s.Metrics.LossPerLanguage).ToList();
        var window = sparse.Observer.Steps[5].Metrics.LossPerLanguage;
        Assert.NotEmpty(window);
        Assert.Empty(sparse.Observer.Steps[4].Metrics.LossPerLanguage);
        foreach (var (language, loss) in window)
        {
            var steps = perStep.Skip(3).Where(p => p.ContainsKey(language)).ToList();
            Assert.InRange(loss, steps.Min(p => p[language]) - 1e-9, steps.Max(p => p[language]) + 1e-9);
            if (steps.Select(p => p[language]).Distinct().Count() > 1)
                Assert.NotEqual(perStep[5][language], loss);
        }
    }

    [Fact]
    public void LossesEqualTheUnchunkedRun_When_TheLossIsChunked()
    {
        // Given two runs that differ only in training.loss_chunk_tokens (0 and 5 positions)
        using var plain = new TrainerHarness(totalSteps: 6, dropout: 0);
        using var chunked = new TrainerHarness(totalSteps: 6, dropout: 0);
        chunked.Config.Training.LossChunkTokens = 5;

        // When both train
        var expected = plain.Train().Losses;
        var actual = chunked.Train().Losses;

        // Then every step's loss agrees within 1e-5 relative
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]), $"step {i + 1}: {actual[i]:R} vs {expected[i]:R}");
    }

    [Fact]
    public void LossesAreThoseOfThePlainRun_When_ActivationsAreRecomputed()
    {
        // Given two runs with dropout that differ only in training.activation_checkpointing
        using var plain = new TrainerHarness(totalSteps: 6, dropout: 0.1);
        using var recomputed = new TrainerHarness(totalSteps: 6, dropout: 0.1);
        recomputed.Config.Training.ActivationCheckpointing = true;

        // When both train
        var expected = plain.Train().Losses;
        var actual = recomputed.Train().Losses;

        // Then every step's loss is the same (same kernels, same dropout masks)
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * Math.Abs(expected[i]), $"step {i + 1}: {actual[i]:R} vs {expected[i]:R}");
    }

    [Fact]
    public void DocumentStartsAreNotPredicted_When_DocumentBoundariesAreOn()
    {
        // Given the learnable corpus, whose tokens are determined except at document starts, with
        // and without document boundaries (attention within documents, document starts not targets)
        using var packed = new TrainerHarness(totalSteps: 60, dropout: 0);
        using var separated = new TrainerHarness(totalSteps: 60, dropout: 0, documentBoundaries: true);

        // When both train to the end
        var mixed = packed.Train().Losses.TakeLast(5).Average();
        var clean = separated.Train().Losses.TakeLast(5).Average();

        // Then without the unpredictable document starts the loss ends clearly lower
        Assert.True(clean < mixed * 0.8, $"last five: {clean:F3} with boundaries, {mixed:F3} without");
    }

    [Fact]
    public void SkipsTheStepWithoutTouchingWeightsOrMoments_When_ItsLossIsNotFinite()
    {
        // Given a run that checkpoints every step and whose step 5 has a NaN loss (and gradients)
        using var harness = new TrainerHarness(totalSteps: 8, dropout: 0);
        harness.Config.Checkpointing.EverySteps = 1;
        harness.Config.Checkpointing.KeepLast = 10;
        harness.NonFiniteSteps.Add(5);

        // When it trains
        var outcome = harness.Train();

        // Then step 5 was skipped as non-finite, and its checkpoint holds step 4's weights and AdamW state
        Assert.Equal(TrainingEnd.Completed, outcome.End);
        Assert.True(harness.Observer.Steps[4].Metrics.Skipped);
        Assert.Contains("is not finite", harness.Observer.Steps[4].GuardNote);
        foreach (var file in new[] { CheckpointFiles.Model, CheckpointFiles.Optimizer })
            AssertSameTensors(Path.Combine(harness.CheckpointDirectory, CheckpointFiles.DirectoryName(4), file),
                Path.Combine(harness.CheckpointDirectory, CheckpointFiles.DirectoryName(5), file));
        Assert.False(harness.Observer.Steps[5].Metrics.Skipped);
    }

    [Fact]
    public void StopsWithTheLastGoodWeightsCheckpointed_When_TooManyStepsInARowAreNotFinite()
    {
        // Given a guard that stops after 3 skipped steps in a row, and NaN losses from step 4 on
        using var harness = new TrainerHarness(totalSteps: 10, dropout: 0);
        harness.Config.Checkpointing.EverySteps = 1;
        harness.Config.Checkpointing.KeepLast = 10;
        harness.Config.Guard.MaxSkippedSteps = 3;
        foreach (var step in new long[] { 4, 5, 6, 7 })
            harness.NonFiniteSteps.Add(step);

        // When it trains, then it stops at step 6 with the divergence error
        var error = Assert.Throws<TrainingDivergedException>(() => harness.Train());
        Assert.Equal(6, error.Step);

        // And the newest complete checkpoint holds the weights of step 3, the last good one
        var newest = new CheckpointStore(harness.CheckpointDirectory).FindNewestValid()!;
        Assert.Equal(5, newest.Step);
        AssertSameTensors(Path.Combine(harness.CheckpointDirectory, CheckpointFiles.DirectoryName(3), CheckpointFiles.Model),
            Path.Combine(newest.Directory, CheckpointFiles.Model));
    }

    private static void AssertSameTensors(string expectedFile, string actualFile)
    {
        using var expected = SafetensorsFile.Open(expectedFile);
        using var actual = SafetensorsFile.Open(actualFile);
        Assert.Equal(expected.Tensors.Select(t => t.Name), actual.Tensors.Select(t => t.Name));
        foreach (var entry in expected.Tensors)
            Assert.True(expected.GetBytes(entry.Name).SequenceEqual(actual.GetBytes(entry.Name)), $"{entry.Name} differs");
    }

    [Fact]
    public void LossFallsBelowBound_When_TrainedOnLearnableCorpus()
    {
        // Given 60 steps on the learnable corpus (an initial loss near ln 100 = 4.6)
        using var harness = new TrainerHarness(totalSteps: 60, dropout: 0);

        // When the run trains to the end
        var losses = harness.Train().Losses;

        // Then the mean loss of the last 5 steps is below 1.5 nats (the next token is determined except at document starts)
        Assert.InRange(losses[0], 4.3, 4.9);
        Assert.True(losses.TakeLast(5).Average() < 1.5, $"first loss {losses[0]:F3}, last five {string.Join(", ", losses.TakeLast(5).Select(l => l.ToString("F3")))}");
    }
}
