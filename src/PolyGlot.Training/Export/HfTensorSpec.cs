namespace PolyGlot.Training.Export;

/// <summary>
/// One tensor of a Hugging Face checkpoint and how it is built from ours: the named source
/// parameters concatenated along dimension 0 (fused projections such as GPT-2's <c>c_attn</c>),
/// then transposed when the target stores (in, out) as GPT-2's <c>Conv1D</c> does.
/// </summary>
/// <param name="Name">The Hugging Face parameter name.</param>
/// <param name="Sources">Our parameter names, in concatenation order.</param>
/// <param name="Transpose">Swap the two dimensions of the concatenated matrix.</param>
public sealed record HfTensorSpec(string Name, IReadOnlyList<string> Sources, bool Transpose = false)
{
    /// <summary>A tensor copied unchanged from one parameter.</summary>
    public static HfTensorSpec Same(string name, string source) => new(name, [source]);
}
