namespace PolyGlot.Cli.Tests;

/// <summary>
/// A small English text source and a data configuration for <c>polyglot tokenizer</c> and
/// <c>polyglot prepare</c>, written into a working directory; optionally with a second source
/// whose file does not exist.
/// </summary>
internal static class DataConfigFixture
{
    private static readonly string[] Words =
        "the quick brown fox jumps over a lazy dog while every model reads long text in many languages before training ends".Split(' ');

    public const int Lines = 300;

    public static void Write(TempDirectory dir, bool withMissingSource)
    {
        var random = new Random(1234);
        dir.Write("corpus/en.txt", string.Join('\n', Enumerable.Range(0, Lines)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 12).Select(_ => Words[random.Next(Words.Length)])))) + "\n");
        var ghost = withMissingSource
            ? """
                - name: ghost
                  path: corpus/ghost.txt
                  lang: de
              """
            : "";
        dir.Write("data.yaml", $"""
            sources:
              - name: english
                path: corpus/en.txt
                lang: en
            {ghost}
            tokenizer:
              output: out/tokenizer
              vocab_size: 320
            prepare:
              tokenizer: out/tokenizer/tokenizer.model
              output: out/shards
            """);
    }

    /// <summary>
    /// The data of <see cref="Write"/> and <c>run.yaml</c>: a 2-layer, 32-wide polylm model trained
    /// for 20 steps of 8 rows on it, checkpointing every 10 steps (the benchmarks' tiny run).
    /// </summary>
    public static void WriteTinyRun(TempDirectory dir, string name)
    {
        Write(dir, withMissingSource: false);
        dir.Write("run.yaml", $$"""
            name: {{name}}
            model: {layout: polylm, vocab_size: 320, d_model: 32, n_layers: 2, n_heads: 2, ffn_hidden: 64, max_seq_len: 16, init_std: 0.02, dropout: 0.0}
            preparation: data.yaml
            tokenizer: {path: out/tokenizer/tokenizer.model}
            data: {seq_len: 16, global_batch_size: 8, seed: 3, sources: [{name: english, path: out/shards}]}
            optimizer: {lr: 1.0e-2, weight_decay: 0.01}
            schedule: {warmup_steps: 1, min_lr: 1.0e-3, total_steps: 20}
            training: {device: cpu, micro_batch_size: 2, seed: 7}
            checkpointing: {every_steps: 10, keep_last: 2}
            eval: {every_steps: 0}
            logging: {run_dir: runs/unused, log_every_steps: 5}
            """);
    }
}
