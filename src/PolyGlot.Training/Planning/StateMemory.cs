using PolyGlot.Model.Configuration;
using static PolyGlot.Training.Planning.ByteSize;

namespace PolyGlot.Training.Planning;

/// <summary>
/// Parameters, gradients and AdamW state per rank at each ZeRO stage (Rajbhandari et al. 2020, "ZeRO",
/// section 5: 4P + 4P + 8P bytes per rank in fp32; from stage 1 the 8P of moments over N ranks, from
/// stage 2 the gradients, from stage 3 the parameters), and the buffers of gradient reduction and of
/// the optimizer step. Sharding is by unit (src/PolyGlot.Training/Optimization/UnitShard.cs): each block,
/// and everything outside the blocks (embeddings, final norm, head), is one flat vector padded to a
/// multiple of N, so a rank holds S = sum over units of ceil(unit / N) elements.
/// </summary>
internal sealed record StateMemory(ModelSize Size, int Vocab, int Width, int Layers, int WorldSize, int Zero,
    bool FusedAdamW, bool Gloo, long RotaryTables)
{
    private long P => Size.Total;
    private long N => WorldSize;
    private long EmbeddingUnit => Size.TokenEmbedding + Size.PositionEmbedding + Size.FinalNorm + Size.Head;
    private long LargestUnit => Math.Max(Size.PerLayer, EmbeddingUnit);
    private long S => Layers * Ceil(Size.PerLayer) + Ceil(EmbeddingUnit);

    // Gloo has no reduce-scatter: it all-reduces a copy of the packed gradients.
    private int Packed => Gloo ? 2 : 1;
    private string Part => $"a 1/{N} part of each unit";

    // Rotary cos and sin tables (llama) are float32 buffers beside the parameters, on every rank.
    public MemoryItem Parameters()
    {
        var tables = RotaryTables > 0 ? $" + {Format(RotaryTables)} rotary tables" : "";
        return Zero < 3
            ? new("parameters", 4 * P + RotaryTables, $"{Count(P)} x 4 B (fp32 master weights, whole){tables}")
            : new("parameters", 4 * S + RotaryTables,
                $"{Count(S)} x 4 B (fp32 master weights, {Part}: {Layers} x {Count(Ceil(Size.PerLayer))} + {Count(Ceil(EmbeddingUnit))}){tables}");
    }

    public MemoryItem Gradients() => Zero switch
    {
        0 => new("gradients", 4 * P, $"{Count(P)} x 4 B (fp32)"),
        1 => new("gradients", 4 * (P + S), $"({Count(P)} + {Count(S)}) x 4 B (fp32, whole, and {Part} the reduce-scatter adds to)"),
        _ => new("gradients", 4 * S + InFlight(), $"{Count(S)} x 4 B ({Part}) + {Format(InFlight())} whole in flight: " +
            $"max(the head's {Count((long)Vocab * Width)} + one block's {Count(Size.PerLayer)}, the outer unit's {Count(EmbeddingUnit)}) x 4 B"),
    };

    public MemoryItem OptimizerState() => Zero == 0
        ? new("optimizer state", 8 * P, $"2 x 4 B x {Count(P)} (AdamW moments, whole)")
        : new("optimizer state", 8 * S, $"2 x 4 B x {Count(S)} (AdamW moments, {Part})");

    /// <summary>
    /// ZeRO-3 gathers each unit into its float32 parameters (the matmuls then cast them, as at every stage)
    /// through a whole flat buffer of the unit: two units' worth at the gather of the largest. Gathers are
    /// synchronous; a prefetched next unit would take the same two.
    /// </summary>
    public MemoryItem GatheredUnits() => Zero < 3
        ? new("gathered units", 0, "none (parameters are whole)")
        : new("gathered units", 2 * 4 * LargestUnit,
            $"2 x {Count(LargestUnit)} x 4 B (the largest unit in its fp32 parameters and the all-gather's flat buffer)");

    /// <summary>
    /// After backward, beside the gradients: plain data parallelism over several ranks keeps each bucket's
    /// packed gradients until every all-reduce is done (4P); stage 1 reduce-scatters unit by unit (a packed
    /// copy of the unit, Gloo a second, and the part received); stages 1 and 2 all-gather each unit's
    /// updated part into a whole flat copy; the multi-tensor AdamW allocates sqrt of the second moment.
    /// </summary>
    public MemoryItem StepBuffers()
    {
        var adam = FusedAdamW ? 0 : 4 * (Zero == 0 ? P : S);
        var adamText = FusedAdamW ? "fused AdamW: none" : $"multi-tensor AdamW {Count(adam / 4)} x 4 B";
        long unit = Ceil(LargestUnit), whole = N * unit;
        var (bytes, text) = Zero switch
        {
            0 => (N > 1 ? 4 * P : 0, N > 1 ? $"gradient buckets {Count(P)} x 4 B" : "no gradient buckets on 1 rank"),
            1 => (4 * (Packed * whole + unit), $"reduce-scatter ({Packed} x {Count(whole)} + {Count(unit)}) x 4 B"),
            _ => (0L, ""),
        };
        if (Zero is 1 or 2 && 4 * (unit + whole) > bytes)
            (bytes, text) = (4 * (unit + whole), $"parameter all-gather ({Count(unit)} + {Count(whole)}) x 4 B");
        return adam > bytes || text == ""
            ? new("step buffers", adam, text == "" ? adamText : $"max({text}, {adamText})")
            : new("step buffers", bytes, $"max({text}, {adamText})");
    }

    // The whole gradients a rank holds at once at stages 2 and 3 (none beyond the step's at 0 and 1): during
    // the blocks' backward the head's gradient (complete after the loss's backward, reduced with the outer unit
    // at the end) and one block's; at the end the outer unit's.
    public long InFlight() => Zero < 2 ? 0 : 4 * Math.Max((long)Vocab * Width + Size.PerLayer, EmbeddingUnit);

    /// <summary>
    /// At stages 2 and 3, while backward's activations are still held: the largest unit's gradients packed
    /// for its reduce-scatter (Gloo all-reduces a second copy) and the part received.
    /// </summary>
    public long ReduceScatterBuffers() => Zero < 2 ? 0 : 4 * (Packed * N * Ceil(LargestUnit) + Ceil(LargestUnit));

    private long Ceil(long elements) => (elements + N - 1) / N;
}
