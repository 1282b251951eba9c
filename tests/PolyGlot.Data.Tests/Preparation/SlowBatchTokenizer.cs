using PolyGlot.Tokenization;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>
/// A real tokenizer whose batch encodes take longer when a batch holds a given text: makes a later batch finish before
/// an earlier one, to show that what prepare reports does not depend on which encode ends first.
/// </summary>
internal sealed class SlowBatchTokenizer(ITokenizer inner, byte[] slowText, TimeSpan delay) : ITokenizer
{
    public string ModelPath => inner.ModelPath;

    public int VocabSize => inner.VocabSize;

    public SpecialTokens Special => inner.Special;

    public string ComputeSha256() => inner.ComputeSha256();

    public int[] Encode(string text) => inner.Encode(text);

    public int[][] EncodeBatch(IReadOnlyList<string> texts, int maxDegreeOfParallelism = -1) => inner.EncodeBatch(texts, maxDegreeOfParallelism);

    public void EncodeBatch(IReadOnlyList<string> texts, TokenBatch output, int maxDegreeOfParallelism = -1) =>
        inner.EncodeBatch(texts, output, maxDegreeOfParallelism);

    public bool TryEncodeBatch(Utf8TextBatch texts, TokenBatch output, out int firstInvalid, int maxDegreeOfParallelism = -1)
    {
        for (var i = 0; i < texts.Count; i++)
            if (texts[i].SequenceEqual(slowText))
                Thread.Sleep(delay);
        return inner.TryEncodeBatch(texts, output, out firstInvalid, maxDegreeOfParallelism);
    }

    public string Decode(ReadOnlySpan<int> ids) => inner.Decode(ids);

    public string IdToPiece(int id) => inner.IdToPiece(id);

    // The inner tokenizer belongs to the caller.
    public void Dispose()
    {
    }
}
