using PolyGlot.Common.IO;
using Microsoft.ML.Tokenizers;
using MlTokenizer = Microsoft.ML.Tokenizers.Tokenizer;

namespace PolyGlot.Tokenization.Imported;

/// <summary>
/// A byte-level BPE tokenizer that came with an imported model (GPT-2, Llama 3, Qwen and OpenAI
/// tiktoken vocabularies), served by Microsoft.ML.Tokenizers: Hugging Face <c>tokenizer.json</c>
/// files are read by <see cref="HfTokenizerJson"/> (the library loads vocab and merges, not
/// tokenizer.json itself), <c>.tiktoken</c> rank files by <see cref="TiktokenFile"/>.
/// Thread-safe for encoding and decoding, as the library's tokenizers are.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITokenizer
{
    private readonly MlTokenizer _tokenizer;
    private readonly Func<int, string?> _idToToken;
    private readonly Func<string> _sha256;

    // sha256: the hash of what the tokenizer was built from (default: the file at path). cuts: what its split pattern
    // and special tokens allow (TextCuts.BeforeSpaceAfterNonWhiteSpace says when).
    internal ByteLevelBpeTokenizer(MlTokenizer tokenizer, Func<int, string?> idToToken, string path, int vocabSize, SpecialTokens special,
        TextCuts cuts, Func<string>? sha256 = null)
    {
        (_tokenizer, _idToToken, ModelPath, VocabSize, Special, Cuts) = (tokenizer, idToToken, path, vocabSize, special, cuts);
        _sha256 = sha256 ?? (() => FileHash.Sha256Hex(path));
    }

    /// <inheritdoc />
    public string ModelPath { get; }

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public SpecialTokens Special { get; }

    /// <inheritdoc />
    public TextCuts Cuts { get; }

    /// <summary>Loads a Hugging Face byte-level BPE <c>tokenizer.json</c>.</summary>
    /// <exception cref="TokenizerException">Not a byte-level BPE tokenizer.json, or uses a component this loader does not implement (named).</exception>
    public static ByteLevelBpeTokenizer LoadJson(string path) => HfTokenizerJson.Load(Path.GetFullPath(path));

    /// <summary>Loads a tiktoken rank file (e.g. <c>o200k_base.tiktoken</c>), its split pattern and special tokens chosen by the encoding name.</summary>
    /// <exception cref="TokenizerException">An encoding name this loader does not know, or a malformed file.</exception>
    public static ByteLevelBpeTokenizer LoadTiktoken(string path) => TiktokenFile.Load(Path.GetFullPath(path));

    /// <inheritdoc />
    public string ComputeSha256() => _sha256();

    /// <inheritdoc />
    public int[] Encode(string text) => [.. _tokenizer.EncodeToIds(text)];

    /// <inheritdoc />
    public int[][] EncodeBatch(IReadOnlyList<string> texts, int maxDegreeOfParallelism = -1)
    {
        var result = new int[texts.Count][];
        Parallel.For(0, texts.Count, Threads(maxDegreeOfParallelism), i => result[i] = Encode(texts[i]));
        return result;
    }

    /// <inheritdoc />
    public void EncodeBatch(IReadOnlyList<string> texts, TokenBatch output, int maxDegreeOfParallelism = -1)
    {
        output.Reset(texts.Count);
        Parallel.For(0, texts.Count, Threads(maxDegreeOfParallelism), i => output.Set(i, Encode(texts[i])));
    }

    /// <inheritdoc />
    public bool TryEncodeBatch(Utf8TextBatch texts, TokenBatch output, out int firstInvalid, int maxDegreeOfParallelism = -1)
    {
        output.Reset(texts.Count);
        firstInvalid = Enumerable.Range(0, texts.Count).FirstOrDefault(i => !System.Text.Unicode.Utf8.IsValid(texts[i]), -1);
        if (firstInvalid >= 0)
            return false;
        Parallel.For(0, texts.Count, Threads(maxDegreeOfParallelism),
            i => output.Set(i, Encode(System.Text.Encoding.UTF8.GetString(texts[i]))));
        return true;
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids) => _tokenizer.Decode(ids.ToArray());

    /// <inheritdoc />
    public string IdToPiece(int id) => _idToToken(id)
        ?? throw new TokenizerException($"Id {id} is outside the vocabulary of {ModelPath} ({VocabSize} ids).");

    // 0 or less: all cores, as for SentencePieceTokenizer (ParallelOptions itself refuses 0).
    private static ParallelOptions Threads(int maxDegreeOfParallelism) =>
        new() { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : -1 };

    /// <summary>Nothing native is held.</summary>
    public void Dispose() { }
}
