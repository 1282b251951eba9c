namespace PolyGlot.TestSupport;

/// <summary>
/// The smallest valid run configuration as YAML: a 2-layer polylm model, one prepared source, a
/// 10-step schedule on the CPU. Tests replace or append sections (<c>.Replace(...)</c>, <c>+ "logging: ..."</c>).
/// </summary>
public static class MinimalRunConfig
{
    /// <summary>The configuration, ending with a newline so that sections can be appended.</summary>
    public const string Yaml = """
        name: t
        model: {layout: polylm, vocab_size: 512, d_model: 32, n_layers: 2, n_heads: 4, max_seq_len: 64}
        tokenizer: {path: tok.model}
        data:
          seq_len: 64
          global_batch_size: 8
          sources: [{name: a, path: prepared/a}]
        schedule: {warmup_steps: 2, total_steps: 10}
        training: {device: cpu, micro_batch_size: 4}

        """;
}
