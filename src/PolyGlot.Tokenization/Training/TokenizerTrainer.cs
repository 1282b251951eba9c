using System.Globalization;
using System.Text;
using System.Text.Json;
using PolyGlot.Common.IO;
using PolyGlot.Tokenization.Interop;

namespace PolyGlot.Tokenization.Training;

/// <summary>What a training run did: where the model went and how the sample was drawn.</summary>
/// <param name="ModelPath">The written <c>.model</c> file.</param>
/// <param name="VocabSize">Vocabulary size of the trained model.</param>
/// <param name="SentencesPerLanguage">Training sentences available per language.</param>
/// <param name="SampledPerLanguage">Sentences drawn per language.</param>
/// <param name="Probabilities">p(lang) of the temperature sampling.</param>
public sealed record TrainingSummary(
    string ModelPath,
    int VocabSize,
    IReadOnlyDictionary<string, long> SentencesPerLanguage,
    IReadOnlyDictionary<string, long> SampledPerLanguage,
    IReadOnlyDictionary<string, double> Probabilities);

/// <summary>
/// Trains a SentencePiece tokenizer on a language-balanced sample through the library API
/// (no temporary input file): count sentences per language, compute quotas with
/// <see cref="LanguageSampler"/>, reservoir-sample each language, train.
/// </summary>
public static class TokenizerTrainer
{
    /// <summary>Name of the model file written into the output directory.</summary>
    public const string ModelFileName = "tokenizer.model";

    /// <summary>Name of the JSON file that records the sample and settings beside the model.</summary>
    public const string SummaryFileName = "tokenizer-training.json";

    /// <summary>Trains and writes <c>tokenizer.model</c>, <c>tokenizer.vocab</c> and the summary into <paramref name="outputDirectory"/>.</summary>
    public static TrainingSummary Train(TokenizerTrainingConfig config, IReadOnlyList<LanguageText> corpus,
        string outputDirectory, Action<string>? progress = null)
    {
        if (corpus.Count == 0)
            throw new ArgumentException("The tokenizer needs at least one language of training text.", nameof(corpus));

        progress?.Invoke("counting training sentences per language");
        var counts = corpus.ToDictionary(l => l.Language,
            l => TrainingSentences.From(l.OpenDocuments(), config.MaxSentenceBytes).LongCount(), StringComparer.Ordinal);
        var empty = counts.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList();
        if (empty.Count > 0)
            throw new TokenizerException($"No training text for language(s) {string.Join(", ", empty)}; check their sources.");

        var quotas = LanguageSampler.Quotas(counts, config.Alpha, config.MaxSentences);
        progress?.Invoke($"sampling {quotas.Values.Sum():N0} of {counts.Values.Sum():N0} sentences (alpha {config.Alpha})");
        var sample = new List<string>();
        foreach (var language in corpus.OrderBy(l => l.Language, StringComparer.Ordinal))
            sample.AddRange(ReservoirSample(
                TrainingSentences.From(language.OpenDocuments(), config.MaxSentenceBytes),
                quotas[language.Language], SeedFor(config.Seed, language.Language)));

        // Created only now: a source that is missing or unreadable has failed the counting pass above
        // without leaving an empty output folder behind.
        Directory.CreateDirectory(outputDirectory);
        progress?.Invoke($"training a {config.VocabSize:N0}-piece {config.ModelType} vocabulary");
        // The model is written under a temporary name and renamed, so an interrupted run never
        // leaves a truncated tokenizer.model behind.
        var modelPath = Path.Combine(outputDirectory, ModelFileName);
        var partial = AtomicFile.TempPathFor(modelPath);
        try
        {
            RunNativeTraining(BuildOptions(config, sample.Count), sample, partial);
            AtomicFile.Publish(partial, modelPath);
        }
        finally
        {
            File.Delete(partial);
        }
        WriteVocab(modelPath, Path.ChangeExtension(modelPath, ".vocab"));

        var summary = new TrainingSummary(modelPath, config.VocabSize, counts, quotas,
            LanguageSampler.Probabilities(counts, config.Alpha));
        WriteSummary(outputDirectory, config, summary);
        return summary;
    }

    /// <summary>
    /// The SentencePiece trainer options (one <c>key=value</c> per line) for <paramref name="config"/>:
    /// identity normalization without dummy prefix or whitespace folding keeps encoding lossless;
    /// pad/bos/eos/unk get the fixed ids of <see cref="SpecialTokens.Default"/>.
    /// </summary>
    public static string BuildOptions(TokenizerTrainingConfig config, int sentences)
    {
        var ids = SpecialTokens.Default;
        var options = new List<(string Key, string Value)>
        {
            ("model_type", config.ModelType),
            ("vocab_size", Invariant(config.VocabSize)),
            ("character_coverage", Invariant(config.CharacterCoverage)),
            ("byte_fallback", Bool(config.ByteFallback)),
            ("split_digits", Bool(config.SplitDigits)),
            ("normalization_rule_name", "identity"),
            ("add_dummy_prefix", "false"),
            ("remove_extra_whitespaces", "false"),
            ("allow_whitespace_only_pieces", "true"),
            ("max_sentence_length", Invariant(config.MaxSentenceBytes)),
            // The sample is already drawn; SentencePiece must take all of it, unshuffled.
            ("input_sentence_size", Invariant(sentences)),
            ("shuffle_input_sentence", "false"),
            ("pad_id", Invariant(ids.PadId)),
            ("bos_id", Invariant(ids.BosId)),
            ("eos_id", Invariant(ids.EosId)),
            ("unk_id", Invariant(ids.UnkId)),
            ("pad_piece", SpecialTokens.PadPiece),
            ("bos_piece", SpecialTokens.BosPiece),
            ("eos_piece", SpecialTokens.EosPiece),
            ("unk_piece", SpecialTokens.UnkPiece),
            ("num_threads", Invariant(config.Threads > 0 ? config.Threads : Environment.ProcessorCount)),
        };
        if (config.UserDefinedSymbols.Count > 0)
            options.Add(("user_defined_symbols", string.Join(",", config.UserDefinedSymbols)));
        return string.Join("\n", options.Select(o => $"{o.Key}={o.Value}"));
    }

    private static unsafe void RunNativeTraining(string options, List<string> sample, string modelPath)
    {
        // The sample travels to the trainer as one buffer, which .NET caps near 2 GB.
        var bytes = sample.Sum(s => (long)Encoding.UTF8.GetByteCount(s));
        if (bytes >= Array.MaxLength)
            throw new TokenizerException(
                $"The training sample is {bytes / 1e9:F1} GB; the limit is 2 GB. Lower tokenizer.max_sentences or tokenizer.max_sentence_bytes " +
                "(a few million sentences are plenty for a 256K vocabulary).");
        using var utf8 = Utf8TextBatch.From(sample);
        NativeSpm.SetLogLevel(1);
        fixed (byte* text = utf8.Bytes)
        fixed (long* offsets = utf8.Offsets)
        {
            try
            {
                NativeSpm.Check(NativeSpm.Train(options, text, offsets, sample.Count, modelPath), "tokenizer training");
            }
            catch (TokenizerException e) when (e.Message.Contains("Vocabulary size too high", StringComparison.Ordinal))
            {
                // SentencePiece's own words point at its source; say what it means for this config.
                throw new TokenizerException(
                    "tokenizer.vocab_size is more than the sampled text can fill (too few distinct characters and pieces; e.g. the sample is " +
                    "dominated by one repeated text, such as a very long line cut into many sentences): lower tokenizer.vocab_size or add " +
                    $"more varied text. SentencePiece said: {e.Message}");
            }
        }
    }

    // The human-readable vocabulary beside the model, in SentencePiece's .vocab layout: piece TAB score.
    private static void WriteVocab(string modelPath, string vocabPath)
    {
        using var tokenizer = SentencePieceTokenizer.Load(modelPath, pieceCacheBytes: 0);  // read only: no encoding cache to check
        var lines = new StringBuilder();
        for (var id = 0; id < tokenizer.VocabSize; id++)
            lines.Append(tokenizer.IdToPiece(id)).Append('\t')
                .Append(tokenizer.ScoreOf(id).ToString(CultureInfo.InvariantCulture)).Append('\n');
        AtomicFile.WriteAllText(vocabPath, lines.ToString());
    }

    // Algorithm R (Vitter): a uniform sample of `k` items in one pass and O(k) memory; the
    // chosen items keep their corpus order so the sample reads like the corpus.
    private static IEnumerable<string> ReservoirSample(IEnumerable<string> items, long k, int seed)
    {
        var random = new Random(seed);
        var reservoir = new List<(long Index, string Item)>();
        long index = 0;
        foreach (var item in items)
        {
            if (reservoir.Count < k)
                reservoir.Add((index, item));
            else
            {
                var j = random.NextInt64(index + 1);
                if (j < k)
                    reservoir[(int)j] = (index, item);
            }
            index++;
        }
        return reservoir.OrderBy(r => r.Index).Select(r => r.Item);
    }

    // A seed per language that does not depend on string.GetHashCode (randomised per process).
    private static int SeedFor(int seed, string language)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(language))
            hash = (hash ^ b) * 16777619u;
        return seed ^ (int)hash;
    }

    private static void WriteSummary(string directory, TokenizerTrainingConfig config, TrainingSummary summary)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new
        {
            model = Path.GetFileName(summary.ModelPath),
            vocab_size = summary.VocabSize,
            model_type = config.ModelType,
            alpha = config.Alpha,
            max_sentences = config.MaxSentences,
            seed = config.Seed,
            user_defined_symbols = config.UserDefinedSymbols,
            sentences_per_language = new SortedDictionary<string, long>(summary.SentencesPerLanguage.ToDictionary(), StringComparer.Ordinal),
            sampled_per_language = new SortedDictionary<string, long>(summary.SampledPerLanguage.ToDictionary(), StringComparer.Ordinal),
            probabilities = new SortedDictionary<string, double>(summary.Probabilities.ToDictionary(), StringComparer.Ordinal),
        }, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllBytes(Path.Combine(directory, SummaryFileName), json);
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";
}
