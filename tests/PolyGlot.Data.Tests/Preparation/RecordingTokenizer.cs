using System.Text.Unicode;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>
/// A real tokenizer that records the texts its batch encodes are given, and offers the cuts given to it (default: the
/// inner tokenizer's).
/// </summary>
internal sealed class RecordingTokenizer(ITokenizer inner, TextCuts? cuts = null) : ITokenizer
{
    private readonly List<byte[]> _seen = [];

    /// <summary>The texts encoded so far (in no particular order across batches encoded at once).</summary>
    public IReadOnlyList<byte[]> Seen
    {
        get
        {
            lock (_seen)
                return [.. _seen];
        }
    }

    /// <summary>UTF-8 bytes of the longest text encoded.</summary>
    public int Longest => Seen.Max(t => t.Length);

    /// <summary>Texts encoded that were not valid UTF-8.</summary>
    public int Invalid => Seen.Count(t => !Utf8.IsValid(t));

    public string ModelPath => inner.ModelPath;

    public int VocabSize => inner.VocabSize;

    public SpecialTokens Special => inner.Special;

    public TextCuts Cuts => cuts ?? inner.Cuts;

    public string ComputeSha256() => inner.ComputeSha256();

    public int[] Encode(string text) => inner.Encode(text);

    public int[][] EncodeBatch(IReadOnlyList<string> texts, int maxDegreeOfParallelism = -1) => inner.EncodeBatch(texts, maxDegreeOfParallelism);

    public void EncodeBatch(IReadOnlyList<string> texts, TokenBatch output, int maxDegreeOfParallelism = -1) =>
        inner.EncodeBatch(texts, output, maxDegreeOfParallelism);

    public bool TryEncodeBatch(Utf8TextBatch texts, TokenBatch output, out int firstInvalid, int maxDegreeOfParallelism = -1)
    {
        lock (_seen)
            for (var i = 0; i < texts.Count; i++)
                _seen.Add(texts[i].ToArray());
        return inner.TryEncodeBatch(texts, output, out firstInvalid, maxDegreeOfParallelism);
    }

    public string Decode(ReadOnlySpan<int> ids) => inner.Decode(ids);

    public string IdToPiece(int id) => inner.IdToPiece(id);

    // The inner tokenizer belongs to the caller.
    public void Dispose()
    {
    }
}
