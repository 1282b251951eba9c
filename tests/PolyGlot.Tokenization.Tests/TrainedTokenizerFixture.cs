using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests;

/// <summary>One small tokenizer trained on the demo corpus, shared by the tests of a class.</summary>
public sealed class TrainedTokenizerFixture : IDisposable
{
    public static readonly string[] LanguageTags = ["<2en>", "<2de>"];

    public TrainedTokenizerFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "pg-tok-" + Guid.NewGuid().ToString("N"));
        Config = new TokenizerTrainingConfig
        {
            VocabSize = 4000,
            MaxSentences = 6000,
            UserDefinedSymbols = [.. LanguageTags],
            Threads = 2,
        };
        var corpus = DemoCorpus.MonoFiles
            .Select(kv => new LanguageText(kv.Key, () => DemoCorpus.ReadLines(kv.Value).Take(2000)))
            .ToList();
        Summary = TokenizerTrainer.Train(Config, corpus, Directory);
        Tokenizer = SentencePieceTokenizer.Load(Summary.ModelPath);
    }

    public string Directory { get; }

    public TokenizerTrainingConfig Config { get; }

    public TrainingSummary Summary { get; }

    public SentencePieceTokenizer Tokenizer { get; }

    public void Dispose()
    {
        Tokenizer.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>Test classes in this collection share one <see cref="TrainedTokenizerFixture"/> and one <see cref="TokenizerKindsFixture"/> (each trained once).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedTokenizerCollection : ICollectionFixture<TrainedTokenizerFixture>, ICollectionFixture<TokenizerKindsFixture>
{
    public const string Name = "trained tokenizer";
}
