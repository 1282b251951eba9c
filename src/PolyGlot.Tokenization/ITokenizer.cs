namespace PolyGlot.Tokenization;

/// <summary>
/// What preparing shards, evaluating, scoring and generating need from a tokenizer, whatever its
/// format: a SentencePiece model trained here, or a tokenizer that came with an imported model.
/// </summary>
public interface ITokenizer : IDisposable
{
    /// <summary>Path of the file this tokenizer was loaded from.</summary>
    string ModelPath { get; }

    /// <summary>Number of ids in the vocabulary (the embedding rows a model needs).</summary>
    int VocabSize { get; }

    /// <summary>Reserved ids of this tokenizer (-1 where it lacks one).</summary>
    SpecialTokens Special { get; }

    /// <summary>Lower-case hex SHA-256 of the tokenizer file, as recorded in shard manifests.</summary>
    string ComputeSha256();

    /// <summary>Encodes one text into token ids (no special tokens added).</summary>
    int[] Encode(string text);

    /// <summary>Encodes many texts, spread over up to <paramref name="maxDegreeOfParallelism"/> threads (-1: all cores). Result i belongs to text i.</summary>
    int[][] EncodeBatch(IReadOnlyList<string> texts, int maxDegreeOfParallelism = -1);

    /// <summary>
    /// Encodes many texts into <paramref name="output"/> (replacing what it held), spread over up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (-1: all cores): no array per text.
    /// </summary>
    void EncodeBatch(IReadOnlyList<string> texts, TokenBatch output, int maxDegreeOfParallelism = -1);

    /// <summary>
    /// Encodes many UTF-8 texts into <paramref name="output"/>, as <see cref="EncodeBatch(IReadOnlyList{string}, TokenBatch, int)"/>
    /// does strings, checking them on the encoding threads: false, with <paramref name="firstInvalid"/> the index of the
    /// first text that is not valid UTF-8, when one is not (then <paramref name="output"/> holds nothing to use).
    /// </summary>
    bool TryEncodeBatch(Utf8TextBatch texts, TokenBatch output, out int firstInvalid, int maxDegreeOfParallelism = -1);

    /// <summary>
    /// Where a text can be cut so that its parts, encoded one by one, give the ids of the whole: prepare encodes long
    /// documents in pieces there. A tokenizer that knows no such place keeps the default, <see cref="TextCuts.None"/>.
    /// </summary>
    TextCuts Cuts => TextCuts.None;

    /// <summary>Decodes ids back to text.</summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>The vocabulary entry of <paramref name="id"/> as the tokenizer stores it (e.g. <c>▁the</c>, <c>Ġthe</c>).</summary>
    string IdToPiece(int id);
}
