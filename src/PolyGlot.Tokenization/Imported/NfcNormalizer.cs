using System.Text;
using Microsoft.ML.Tokenizers;

namespace PolyGlot.Tokenization.Imported;

/// <summary>Unicode NFC, the normalizer Qwen's tokenizer.json declares.</summary>
internal sealed class NfcNormalizer : Normalizer
{
    public static NfcNormalizer Instance { get; } = new();

    /// <summary>
    /// True when this process can compose to NFC. With invariant globalization (how PolyGlot is
    /// built, so that it runs without ICU) <see cref="string.Normalize()"/> leaves non-ASCII text as
    /// it is, which would silently give other ids than the tokenizer's own implementation.
    /// </summary>
    public static bool Available { get; } = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9";

    public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
