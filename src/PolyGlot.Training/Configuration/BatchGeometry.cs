using System.Globalization;
using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// How one optimizer step's global batch is split: global batch tokens =
/// micro_batch_size x seq_len x gradient accumulation x world size.
/// </summary>
/// <param name="GlobalBatchSize">Sequences per optimizer step over all ranks (<c>data.global_batch_size</c>).</param>
/// <param name="SeqLen">Tokens per sequence (<c>data.seq_len</c>).</param>
/// <param name="MicroBatchSize">Sequences per forward/backward on one rank (<c>training.micro_batch_size</c>).</param>
/// <param name="WorldSize">Data-parallel ranks.</param>
/// <param name="Accumulation">Micro-batches each rank accumulates per step.</param>
public sealed record BatchGeometry(int GlobalBatchSize, int SeqLen, int MicroBatchSize, int WorldSize, int Accumulation)
{
    /// <summary>Tokens per optimizer step: global batch size x seq_len.</summary>
    public long TokensPerStep => (long)GlobalBatchSize * SeqLen;

    /// <summary>
    /// Derives the accumulation, or returns the broken rule with its arithmetic when the global
    /// batch does not split into whole micro-batches per rank.
    /// </summary>
    public static (BatchGeometry? Geometry, ConfigError? Error) TryCreate(int globalBatchSize, int seqLen,
        int microBatchSize, int worldSize)
    {
        var perStep = (long)microBatchSize * worldSize;
        if (globalBatchSize > 0 && perStep > 0 && globalBatchSize % perStep == 0)
            return (new BatchGeometry(globalBatchSize, seqLen, microBatchSize, worldSize, (int)(globalBatchSize / perStep)), null);
        var tokens = (long)globalBatchSize * seqLen;
        var rule = $"the global batch of {N(tokens)} tokens (data.global_batch_size x data.seq_len = {N(globalBatchSize)} x {N(seqLen)}) "
                   + $"must equal micro_batch_size x seq_len x accumulation x world_size = {N(microBatchSize)} x {N(seqLen)} x A x {N(worldSize)} "
                   + $"for a whole number A, i.e. {N(globalBatchSize)} must be a multiple of {N(microBatchSize)} x {N(worldSize)} = {N(perStep)}; "
                   + "choose a micro_batch_size that divides the global batch per rank";
        return (null, new ConfigError("training.micro_batch_size", microBatchSize.ToString(CultureInfo.InvariantCulture), rule));
    }

    /// <summary>As <see cref="TryCreate"/>, throwing a <see cref="ConfigException"/> naming <paramref name="source"/>.</summary>
    public static BatchGeometry Create(int globalBatchSize, int seqLen, int microBatchSize, int worldSize, string source)
    {
        var (geometry, error) = TryCreate(globalBatchSize, seqLen, microBatchSize, worldSize);
        return geometry ?? throw new ConfigException(source, [error!]);
    }

    /// <summary>The arithmetic in words, e.g. for the run log.</summary>
    public override string ToString() =>
        $"{N(MicroBatchSize)} x {N(SeqLen)} x {N(Accumulation)} x {N(WorldSize)} = {N(TokensPerStep)} tokens/step "
        + $"(micro_batch_size x seq_len x accumulation x world_size)";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
