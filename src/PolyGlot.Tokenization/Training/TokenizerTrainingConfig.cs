using PolyGlot.Common.Configuration;

namespace PolyGlot.Tokenization.Training;

/// <summary>
/// Tokenizer training settings (the <c>tokenizer:</c> section of a data config). Defaults fit
/// multilingual pretraining: BPE, byte fallback, split digits, identity normalization.
/// </summary>
public sealed class TokenizerTrainingConfig : IValidatedConfig
{
    /// <summary>Directory that receives <c>tokenizer.model</c>, <c>tokenizer.vocab</c> and the training summary.</summary>
    public string Output { get; set; } = "artifacts/tokenizer";

    /// <summary>Names of the corpus sources to train on; empty means every source.</summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>Vocabulary size including special tokens and the 256 byte pieces (PolyLM: 256,000).</summary>
    public int VocabSize { get; set; } = 32_000;

    /// <summary>SentencePiece model type: <c>bpe</c> (default) or <c>unigram</c>.</summary>
    public string ModelType { get; set; } = "bpe";

    /// <summary>Share of characters the vocabulary must cover before the rest fall back to bytes (0.9995 suits CJK).</summary>
    public double CharacterCoverage { get; set; } = 0.9995;

    /// <summary>Unknown characters become UTF-8 byte pieces instead of &lt;unk&gt;, so encoding is lossless.</summary>
    public bool ByteFallback { get; set; } = true;

    /// <summary>Every digit is its own piece (numbers tokenize consistently).</summary>
    public bool SplitDigits { get; set; } = true;

    /// <summary>Extra symbols that always encode as one token, e.g. language tags <c>&lt;2de&gt;</c>; ids follow the four reserved ones.</summary>
    public List<string> UserDefinedSymbols { get; set; } = [];

    /// <summary>Temperature exponent of the language-balanced sample: p(lang) ∝ n(lang)^alpha (1 = proportional, 0 = uniform).</summary>
    public double Alpha { get; set; } = 0.3;

    /// <summary>Sentence budget of the training sample; bounds the trainer's memory.</summary>
    public int MaxSentences { get; set; } = 2_000_000;

    /// <summary>Longer lines are cut into pieces of at most this many UTF-8 bytes for training.</summary>
    public int MaxSentenceBytes { get; set; } = 4096;

    /// <summary>Seed of the sample (same seed and corpus, same sample, same tokenizer).</summary>
    public int Seed { get; set; } = 1234;

    /// <summary>Trainer threads; 0 uses every core.</summary>
    public int Threads { get; set; }

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireText(Output, ConfigPath.Join(path, "output"));
        var reserved = 4 + UserDefinedSymbols.Count + (ByteFallback ? 256 : 0);
        errors.Require(VocabSize > reserved, ConfigPath.Join(path, "vocab_size"), VocabSize,
            $"must exceed the {reserved} reserved pieces (4 special tokens, user-defined symbols, 256 bytes with byte_fallback)");
        errors.RequireOneOf(ModelType, ["bpe", "unigram"], ConfigPath.Join(path, "model_type"));
        errors.RequireRange(CharacterCoverage, 0.9, 1.0, ConfigPath.Join(path, "character_coverage"));
        errors.RequireRange(Alpha, 0.0, 1.0, ConfigPath.Join(path, "alpha"));
        errors.RequirePositive(MaxSentences, ConfigPath.Join(path, "max_sentences"));
        errors.RequireRange(MaxSentenceBytes, 16, 1 << 20, ConfigPath.Join(path, "max_sentence_bytes"));
        errors.RequireNonNegative(Threads, ConfigPath.Join(path, "threads"));
        for (var i = 0; i < UserDefinedSymbols.Count; i++)
        {
            var symbol = UserDefinedSymbols[i];
            errors.Require(!string.IsNullOrEmpty(symbol) && !symbol.Any(c => char.IsWhiteSpace(c) || c == ','),
                ConfigPath.Index(ConfigPath.Join(path, "user_defined_symbols"), i), symbol,
                "must be non-empty without spaces or commas (SentencePiece separates symbols by commas)");
        }
        errors.Require(UserDefinedSymbols.Distinct(StringComparer.Ordinal).Count() == UserDefinedSymbols.Count,
            ConfigPath.Join(path, "user_defined_symbols"), string.Join(",", UserDefinedSymbols), "must not repeat a symbol");
    }
}
