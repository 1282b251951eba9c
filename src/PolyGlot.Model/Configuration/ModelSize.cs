namespace PolyGlot.Model.Configuration;

/// <summary>
/// Parameter counts of a <see cref="ModelConfig"/>, part by part, and the FLOPs per token of a
/// training step. Pure arithmetic over the shape: no model needs to exist.
/// </summary>
/// <param name="TokenEmbedding">Token embedding matrix: V x d.</param>
/// <param name="PositionEmbedding">Learned positions (<c>polylm</c>): T_max x d; 0 for <c>llama</c>.</param>
/// <param name="PerLayer">One transformer block, weights, biases and norms.</param>
/// <param name="Layers">All blocks: L x <paramref name="PerLayer"/>.</param>
/// <param name="FinalNorm">The norm before the head.</param>
/// <param name="Head">The untied LM head (V x d); 0 when tied.</param>
/// <param name="Matmul">
/// N of the FLOPs formula: weights used in matrix multiplications, LM head included (even when
/// tied, since it is still a V x d matmul), embedding lookups, biases and norms excluded.
/// </param>
public sealed record ModelSize(long TokenEmbedding, long PositionEmbedding, long PerLayer, long Layers,
    long FinalNorm, long Head, long Matmul)
{
    /// <summary>Trainable parameters, tied matrices counted once.</summary>
    public long Total => TokenEmbedding + PositionEmbedding + Layers + FinalNorm + Head;

    /// <summary>Counts the parameters of <paramref name="config"/>.</summary>
    public static ModelSize Of(ModelConfig config)
    {
        long v = config.VocabSize, d = config.DModel, f = config.FfnHiddenSize, l = config.NLayers;
        var embedding = v * d;
        var head = config.TiedEmbeddings ? 0 : v * d;
        if (config.IsLlama)
        {
            var kv = (long)config.KvHeads * config.HeadDim;
            // q and o: d x d; k and v: d x kv; gate, up, down: d x f; two RMSNorm weights.
            var matmul = 2 * d * d + 2 * d * kv + 3 * d * f;
            var perLayer = matmul + 2 * d;
            return new ModelSize(embedding, 0, perLayer, l * perLayer, d, head, l * matmul + v * d);
        }
        else
        {
            // qkv: d x 3d + 3d; proj: d x d + d; fc: d x f + f; proj: f x d + d; two LayerNorms: 2 x 2d.
            var matmul = 4 * d * d + 2 * d * f;
            var perLayer = matmul + 3 * d + d + f + d + 4 * d;
            return new ModelSize(embedding, (long)config.MaxSeqLen * d, perLayer, l * perLayer, 2 * d, head,
                l * matmul + v * d);
        }
    }

    /// <summary>
    /// Training FLOPs per token at sequence length <paramref name="seqLen"/>: F = 6N + 12·L·d·T
    /// (forward + backward of the matmuls, plus attention scores and values; PaLM appendix B).
    /// </summary>
    public static double FlopsPerToken(ModelConfig config, int seqLen) =>
        6.0 * Of(config).Matmul + 12.0 * config.NLayers * config.DModel * seqLen;

    /// <summary>Model FLOPs utilisation: achieved FLOP/s over <paramref name="peakFlopsPerSecond"/>.</summary>
    public static double Mfu(double tokensPerSecond, double flopsPerToken, double peakFlopsPerSecond) =>
        tokensPerSecond * flopsPerToken / peakFlopsPerSecond;
}
