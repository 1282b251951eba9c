using PolyGlot.Common.Configuration;
using PolyGlot.Data.Loading;
using PolyGlot.TestSupport;
using PolyGlot.Tokenization;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Hosting;
using PolyGlot.Training.Tests.Trainer;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Training.Tests.Hosting;

/// <summary>
/// Training as a library, without the CLI: the example docs/training.md shows, compiled and run.
/// </summary>
[Collection(TorchStateCollection.Name)]
public sealed class LibraryUseTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void TrainsFromADataConfig_When_UsedWithoutTheCli()
    {
        // Given a data preparation file (two demo languages) and a run configuration that names it
        var corpus = RepositoryPaths.Combine("data", "demo-corpus", "mono", "gnome");
        var data = _dir.Write("data.yaml", $$"""
            sources:
              - {name: en, path: {{corpus}}/en.txt.gz, lang: en}
              - {name: de, path: {{corpus}}/de.txt.gz, lang: de}
            tokenizer: {output: {{_dir.File("tok")}}, vocab_size: 400, max_sentences: 2000}
            prepare: {tokenizer: {{_dir.File("tok/tokenizer.model")}}, output: {{_dir.File("shards")}}}
            """);
        var run = YamlConfig.Parse<RunConfig>($$"""
            name: library
            model: {layout: llama, vocab_size: 400, d_model: 32, n_layers: 2, n_heads: 2, max_seq_len: 32}
            preparation: {{data}}
            tokenizer: {path: {{_dir.File("tok/tokenizer.model")}}}
            data: {seq_len: 32, global_batch_size: 4, sources: [{name: all, path: {{_dir.File("shards")}}}]}
            schedule: {warmup_steps: 2, total_steps: 6}
            training: {device: cpu, micro_batch_size: 2}
            logging: {run_dir: {{_dir.File("run")}}}
            """, "run.yaml");

        // When the library builds the data and trains
        var log = new List<string>();
        TrainingData.EnsureBuilt(run, log.Add);
        var plan = DataPipeline.Resolve(run.Data, run.TotalSteps);
        using var tokenizer = SentencePieceTokenizer.Load(run.Tokenizer.Path);
        var options = new TrainerOptions
        {
            RunDirectory = run.Logging.RunDir,
            Device = DeviceSelection.Resolve(run.Training.Device),
            TokenizerSha256 = tokenizer.ComputeSha256(),
        };
        var observer = new RecordingObserver();
        var outcome = TrainingThread.Run(() =>
        {
            using var training = TrainingRun.Open(run, plan, new ParquetShardReader(), options, observer);
            return training.Run(CancellationToken.None);
        });

        // Then the tokenizer and shards were built, and the run completed with a checkpoint
        Assert.Contains(log, line => line.Contains("wrote tokenizer", StringComparison.Ordinal));
        Assert.Contains(log, line => line.StartsWith("prepare: de prepared", StringComparison.Ordinal));
        Assert.Equal(TrainingEnd.Completed, outcome.End);
        Assert.Equal(6, outcome.Losses.Count);
        Assert.True(File.Exists(Path.Combine(outcome.Checkpoint!, "COMPLETE")));
    }

    public void Dispose() => _dir.Dispose();
}
