namespace PolyGlot.Training.Inference;

/// <summary>How <see cref="TextGenerator"/> picks each next token.</summary>
/// <param name="MaxNewTokens">Tokens to generate at most (stops earlier at end of document).</param>
/// <param name="Temperature">0 for greedy decoding; otherwise logits are divided by it before sampling.</param>
/// <param name="TopP">Nucleus sampling: sample from the smallest set of tokens whose probability reaches it (1 = all).</param>
/// <param name="Seed">Seed of the sampler, so that a sampled continuation can be reproduced.</param>
public sealed record SamplingOptions(int MaxNewTokens = 64, double Temperature = 0, double TopP = 1, int Seed = 0)
{
    /// <summary>Throws with the offending value unless the options make sense.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        if (MaxNewTokens < 1)
            throw new ArgumentException($"max new tokens must be at least 1; got {MaxNewTokens}.");
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new ArgumentException($"temperature must be 0 (greedy) or positive; got {Temperature}.");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentException($"top-p must be greater than 0 and at most 1; got {TopP}.");
    }
}
