using System.Text.Json;

namespace PolyGlot.Cli.Tests.Commands;

public sealed class TrainObserverTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RecordsEventsAndRefreshesReport_When_RunEvaluatesCheckpointsAndEnds()
    {
        // Given a 4-step run of a tiny model, evaluated and checkpointed every 2 steps
        DataConfigFixture.Write(_dir, withMissingSource: false);
        _dir.Write("run.yaml", """
            name: tiny
            preparation: data.yaml
            model: {vocab_size: 320, d_model: 16, n_layers: 1, n_heads: 2, max_seq_len: 16}
            tokenizer: {path: out/tokenizer/tokenizer.model}
            data:
              seq_len: 16
              global_batch_size: 2
              sources: [{name: english, path: out/shards}]
            schedule: {total_steps: 4}
            training: {device: cpu, micro_batch_size: 2}
            checkpointing: {every_steps: 2, keep_last: 1}
            eval:
              every_steps: 2
              max_batches: 1
              sources: [{name: heldout, path: corpus/en.txt, lang: en}]
            logging: {run_dir: runs/tiny, log_every_steps: 1}
            """);

        // When it trains
        var result = PolyglotProcess.Run(_dir.Path, "train", "--config", "run.yaml");

        // Then events.jsonl lists start, steps, checkpoints and end in order
        Assert.Equal(0, result.ExitCode);
        var events = File.ReadAllLines(_dir.File("runs/tiny/events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["start", "step", "step", "checkpoint", "step", "step", "checkpoint", "end"],
            events.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal([0L, 1, 2, 2, 3, 4, 4, 4], events.Select(e => e.GetProperty("step").GetInt64()));
        Assert.Equal(1.0, events[1].GetProperty("realized_group_shares").GetProperty("english").GetDouble());

        // And the report was drawn after each of the two evaluations and at the end, the last time complete
        Assert.Equal(3, result.StdErr.Split('\n').Count(l => l.Contains("train: report runs/tiny/report.html refreshed in", StringComparison.Ordinal)));
        var html = File.ReadAllText(_dir.File("runs/tiny/report.html"));
        Assert.Contains("4 of 4 steps; ended: Completed", html);
        Assert.Contains("Held-out loss per language", html);
    }
}
