using System.Text;
using Microsoft.ML.Tokenizers;

namespace PolyGlot.Tokenization.Imported;

/// <summary>Unicode NFC, the normalizer Qwen's tokenizer.json declares.</summary>
internal sealed class NfcNormalizer : Normalizer
{
    public static NfcNormalizer Instance { get; } = new();

    public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
