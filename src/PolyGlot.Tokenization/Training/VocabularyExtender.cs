using System.Text.Json;
using PolyGlot.Common.IO;

namespace PolyGlot.Tokenization.Training;

/// <summary>What <see cref="VocabularyExtender.Extend"/> wrote.</summary>
/// <param name="ModelPath">The extended <c>.model</c>.</param>
/// <param name="BaseVocabSize">Ids of the base tokenizer, unchanged in the extension.</param>
/// <param name="Added">The appended pieces, in id order from <paramref name="BaseVocabSize"/>.</param>
/// <param name="Candidates">Pieces the target-language tokenizer learned that the base lacks (before the --add cut).</param>
public sealed record ExtensionSummary(string ModelPath, int BaseVocabSize, IReadOnlyList<string> Added, int Candidates);

/// <summary>
/// Extends a SentencePiece BPE tokenizer for new languages: trains a tokenizer on the target
/// languages' text (<see cref="TokenizerTrainer"/>, the same language-balanced sample), keeps its
/// learned pieces the base lacks, in the order BPE learned them (so that every piece's own merge
/// parts come before it), takes the first N and appends them to the base model. Every base id
/// keeps its piece. The new pieces score below every base piece, so where a base merge and a new
/// one compete the base merge wins and text the base already encoded well keeps its tokens.
/// </summary>
public static class VocabularyExtender
{
    /// <summary>Writes the extended model as <c>tokenizer.model</c> (and <c>extension.json</c>) into <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="TokenizerException">The base is not a BPE SentencePiece model, or the target text yields no new pieces.</exception>
    public static ExtensionSummary Extend(string baseModel, TokenizerTrainingConfig training, IReadOnlyList<LanguageText> targetCorpus,
        int add, string outputDirectory, Action<string>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(add, 1);
        var baseBytes = File.Exists(baseModel) ? File.ReadAllBytes(baseModel)
            : throw new TokenizerException($"Base tokenizer {baseModel} does not exist; pass the model's tokenizer.model with --base.");
        if (training.ModelType != "bpe")
            throw new TokenizerException(
                $"tokenizer.model_type is {training.ModelType}; extend learns BPE pieces (set model_type: bpe in the data config).");
        var basePieces = SentencePieceModelFile.ReadPieces(baseBytes);
        if (!HuggingFace.SentencePieceVocabulary.HasBpeScores(basePieces.Where(p => p.IsNormal).Select(p => p.Score)))
            throw new TokenizerException(
                $"{baseModel} is not a BPE model (its piece scores are log probabilities, as a unigram model's); extend appends BPE pieces to a BPE tokenizer.");
        using (var check = SentencePieceTokenizer.Load(baseModel, pieceCacheBytes: 0))  // read only: no encoding cache to check
            if (check.VocabSize != basePieces.Count)
                throw new TokenizerException($"{baseModel}: read {basePieces.Count} pieces but SentencePiece reports {check.VocabSize}.");
        var scratch = Path.Combine(outputDirectory, ".target-tokenizer");
        progress?.Invoke($"training {training.VocabSize:N0} pieces on the target languages ({string.Join(", ", targetCorpus.Select(l => l.Language))})");
        var learned = TokenizerTrainer.Train(training, targetCorpus, scratch, progress);
        var known = basePieces.Select(p => p.Piece).ToHashSet(StringComparer.Ordinal);
        var candidates = SentencePieceModelFile.ReadPieces(File.ReadAllBytes(learned.ModelPath))
            .Where(p => p.IsNormal && !known.Contains(p.Piece)).Select(p => p.Piece).ToList();
        Directory.Delete(scratch, recursive: true);
        if (candidates.Count == 0)
            throw new TokenizerException("The target languages' text taught no piece the base tokenizer lacks; the base already covers it.");
        var added = candidates.Take(add).ToList();
        var lowest = basePieces.Where(p => p.IsNormal).Select(p => p.Score).DefaultIfEmpty(0f).Min();
        var extended = SentencePieceModelFile.Append(baseBytes, added.Select((piece, i) => (piece, lowest - 1 - i)));
        var modelPath = Path.Combine(outputDirectory, TokenizerTrainer.ModelFileName);
        AtomicFile.WriteAllBytes(modelPath, extended);
        var summary = new ExtensionSummary(modelPath, basePieces.Count, added, candidates.Count);
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, "extension.json"), JsonSerializer.Serialize(new
        {
            @base = Path.GetFullPath(baseModel),
            base_vocab_size = summary.BaseVocabSize,
            vocab_size = summary.BaseVocabSize + added.Count,
            languages = targetCorpus.Select(l => l.Language).ToList(),
            candidates = summary.Candidates,
            added,
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return summary;
    }
}
