using PolyGlot.Common.Configuration;
using PolyGlot.Training.Configuration;
using PolyGlot.TestSupport;

namespace PolyGlot.Training.Tests.Configuration;

public sealed class RunConfigTests
{
    private const string Minimal = MinimalRunConfig.Yaml;

    private static ConfigException Invalid(string yaml) =>
        Assert.Throws<ConfigException>(() => YamlConfig.Parse<RunConfig>(yaml, "run.yaml"));

    [Fact]
    public void FillsDefaults_When_SectionsOmitted()
    {
        var config = YamlConfig.Parse<RunConfig>(Minimal, "run.yaml");

        Assert.Equal([0.9, 0.95], config.Optimizer.Betas);
        Assert.Equal("cosine", config.Schedule.Decay);
        Assert.Equal(Path.Combine("runs/default", "checkpoints"), config.Checkpointing.ResolveDir(config.Logging.RunDir));
    }

    [Fact]
    public void DistributedDefaultsToAutoBackendAnd25MbBuckets_When_SectionOmitted()
    {
        var config = YamlConfig.Parse<RunConfig>(Minimal, "run.yaml");

        Assert.Equal(("auto", 25_000_000L, 0, 300), (config.Training.Distributed.Backend, config.Training.Distributed.BucketBytes,
            config.Training.Distributed.Zero, config.Training.Distributed.TimeoutS));
    }

    [Fact]
    public void NamesEveryDistributedKey_When_ValuesBreakTheirRules()
    {
        var e = Invalid(Minimal.Replace("micro_batch_size: 4}",
            "micro_batch_size: 4, distributed: {backend: mpi, bucket_mb: 0, zero: 4, timeout_s: 0}}"));

        Assert.Equal(["training.distributed.backend", "training.distributed.bucket_mb", "training.distributed.timeout_s", "training.distributed.zero"],
            e.Errors.Select(x => x.Key).Order());
    }

    [Fact]
    public void ShowsBatchArithmetic_When_MicroBatchDoesNotDivideGlobalBatch()
    {
        var e = Invalid(Minimal.Replace("micro_batch_size: 4", "micro_batch_size: 3"));

        var error = Assert.Single(e.Errors);
        Assert.Equal("training.micro_batch_size", error.Key);
        Assert.Equal("3", error.Value);
        Assert.Contains("the global batch of 512 tokens (data.global_batch_size x data.seq_len = 8 x 64) "
            + "must equal micro_batch_size x seq_len x accumulation x world_size = 3 x 64 x A x 1", error.Rule);
    }

    [Fact]
    public void DerivesAccumulation_When_WorldSizeGiven()
    {
        var config = YamlConfig.Parse<RunConfig>(Minimal.Replace("micro_batch_size: 4", "micro_batch_size: 2"), "run.yaml");

        var batch = config.Batch(worldSize: 2);

        Assert.Equal(2, batch.Accumulation);
        Assert.Equal("2 x 64 x 2 x 2 = 512 tokens/step (micro_batch_size x seq_len x accumulation x world_size)", batch.ToString());
    }

    [Fact]
    public void RefusesWorldSize_When_BatchDoesNotSplitOverRanks()
    {
        var config = YamlConfig.Parse<RunConfig>(Minimal, "run.yaml");

        var e = Assert.Throws<ConfigException>(() => config.Batch(worldSize: 3, "run.yaml"));

        Assert.Contains("8 must be a multiple of 4 x 3 = 12", e.Message);
    }

    [Fact]
    public void RefusesSequenceLongerThanModel_When_SeqLenExceedsMaxSeqLen()
    {
        var e = Invalid(Minimal.Replace("  seq_len: 64", "  seq_len: 128"));

        Assert.Contains(e.Errors, x => x.Key == "data.seq_len" && x.Rule.Contains("model.max_seq_len = 64"));
    }

    [Fact]
    public void RefusesPeakTflops_When_NotPositive()
    {
        var e = Invalid(Minimal.Replace("micro_batch_size: 4}", "micro_batch_size: 4, peak_tflops: 0}"));

        var error = Assert.Single(e.Errors);
        Assert.Equal("training.peak_tflops", error.Key);
        Assert.Contains("must be greater than 0", e.Message);
    }

    [Fact]
    public void ReadsPeakTflops_When_Given()
    {
        var config = YamlConfig.Parse<RunConfig>(Minimal.Replace("micro_batch_size: 4}", "micro_batch_size: 4, peak_tflops: 165.2}"), "run.yaml");

        Assert.Equal(165.2, config.Training.PeakTflops);
    }

    [Fact]
    public void RefusesBf16_When_DeviceIsCpu()
    {
        var e = Invalid(Minimal + "precision: {compute: bf16}\n");

        Assert.Contains("precision.compute = 'bf16': bf16 compute runs on CUDA only", e.Message);
    }

    [Fact]
    public void RefusesRunLength_When_BothStepsAndTokensGiven()
    {
        var e = Invalid(Minimal.Replace("total_steps: 10", "total_steps: 10, total_tokens: 5000"));

        Assert.Contains(e.Errors, x => x.Key == "schedule.total_steps" && x.Rule.Contains("exactly one"));
    }

    [Fact]
    public void RoundsStepsUp_When_RunGivenInTokens()
    {
        // 5,000 tokens / (8 x 64 = 512 tokens/step) = 9.77 -> 10 steps
        var config = YamlConfig.Parse<RunConfig>(Minimal.Replace("total_steps: 10", "total_tokens: 5000"), "run.yaml");

        Assert.Equal(10, config.TotalSteps);
    }

    [Fact]
    public void RefusesMinLr_When_AbovePeak()
    {
        var e = Invalid(Minimal.Replace("schedule: {warmup_steps: 2, total_steps: 10}",
            "schedule: {warmup_steps: 2, total_steps: 10, min_lr: 0.5}"));

        Assert.Contains("schedule.min_lr = 0.5: must be at most optimizer.lr", e.Message);
    }

    [Fact]
    public void ListsEveryProblem_When_SeveralSectionsBroken()
    {
        var e = Invalid(Minimal.Replace("n_heads: 4", "n_heads: 5").Replace("total_steps: 10", "total_steps: -1")
            + "optimizer: {betas: [0.9]}\n");

        Assert.Contains(e.Errors, x => x.Key == "model.d_model");
        Assert.Contains(e.Errors, x => x.Key == "schedule.total_steps");
        Assert.Contains(e.Errors, x => x.Key == "optimizer.betas");
    }

    [Fact]
    public void ReloadsToSameValues_When_ResolvedYamlSaved()
    {
        var config = RunConfig.Load(RepoConfigs.File("demo.yaml"));

        var reloaded = YamlConfig.Parse<RunConfig>(config.ToYaml(), "resolved.yaml");

        Assert.Equal(config.ToYaml(), reloaded.ToYaml());
        Assert.Equal(config.Model.DModel, reloaded.Model.DModel);
        Assert.Equal(config.Data.Curriculum!.Preset, reloaded.Data.Curriculum!.Preset);
    }

    [Fact]
    public void ReloadsUnsetOptionalKeys_When_ResolvedYamlHasNulls()
    {
        // Given a config without preparation, n_kv_heads, ffn_hidden or curriculum
        var config = YamlConfig.Parse<RunConfig>(Minimal, "run.yaml");

        // When its resolved YAML is loaded again
        var reloaded = YamlConfig.Parse<RunConfig>(config.ToYaml(), "resolved.yaml");

        // Then they are still unset and the derived values agree
        Assert.Null(reloaded.Preparation);
        Assert.Null(reloaded.Model.NKvHeads);
        Assert.Null(reloaded.Data.Curriculum);
        Assert.Equal(config.Model.FfnHiddenSize, reloaded.Model.FfnHiddenSize);
    }

    [Fact]
    public void NamesUnpreparedSource_When_PreparationBuildsOtherDirectories()
    {
        // Given a preparation file that writes artifacts/x/shards/<name> and a run reading elsewhere
        var dir = Directory.CreateTempSubdirectory("pg-runcfg-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "prep.yaml"), """
                sources: [{name: a, path: a.txt, lang: en}]
                tokenizer: {output: tok, vocab_size: 400}
                prepare: {tokenizer: tok/tokenizer.model, output: shards}
                """);
            var config = YamlConfig.Parse<RunConfig>(Minimal.Replace("tokenizer: {path: tok.model}",
                "tokenizer: {path: tok/tokenizer.model}\npreparation: prep.yaml"), "run.yaml");

            // When
            var e = Assert.Throws<ConfigException>(() => config.LoadPreparation(dir, "run.yaml"));

            // Then the run's source is named with what was expected
            var error = Assert.Single(e.Errors);
            Assert.Equal("data.sources[0].path", error.Key);
            Assert.Contains("is not prepared by prep.yaml; expected its output root 'shards' or 'shards/<source name>'", error.Rule);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
