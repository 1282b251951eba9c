using PolyGlot.Torch;

namespace PolyGlot.Model;

/// <summary>
/// Where documents lie in a batch of packed sequences: the position of every token within its
/// document and the index of its document within the row, both (B, T) int64 on the model's device.
/// Given to the model, attention stays inside each document (a block-diagonal causal mask) and
/// positions restart at every document, so that a document packed behind another is computed
/// exactly as if it were alone.
/// </summary>
/// <param name="Positions">(B, T) position of each token in its document, from 0.</param>
/// <param name="Segments">(B, T) index of each token's document in its row.</param>
public sealed record DocumentLayout(Tensor Positions, Tensor Segments)
{
    /// <summary>
    /// The additive attention mask (B, 1, T, T) in <paramref name="dtype"/>: 0 where query i may see
    /// key j (same document, j &lt;= i), -inf elsewhere.
    /// </summary>
    public Tensor AttentionMask(DType dtype)
    {
        var T = Segments.Size(1);
        var sameDocument = Segments.Unsqueeze(2).Eq(Segments.Unsqueeze(1));  // (B, T, T)
        var causal = Tensor.Ones([T, T], DType.Bool, Segments.Device).Tril();  // (T, T)
        var allowed = sameDocument.LogicalAnd(causal).Unsqueeze(1);  // (B, 1, T, T)
        return Tensor.Zeros(allowed.Shape, dtype, Segments.Device).MaskedFill(allowed.LogicalNot(), double.NegativeInfinity);
    }
}
