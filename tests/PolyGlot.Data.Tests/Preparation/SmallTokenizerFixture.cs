using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>Two small, different tokenizers trained on demo text (English and German), shared by the preparation tests.</summary>
public sealed class SmallTokenizerFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-prepare-tok-").FullName;

    public SmallTokenizerFixture()
    {
        First = Train("first", vocabSize: 600);
        Second = Train("second", vocabSize: 700);
    }

    public SentencePieceTokenizer First { get; }

    public SentencePieceTokenizer Second { get; }

    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private SentencePieceTokenizer Train(string name, int vocabSize)
    {
        var corpus = new[] { "en", "de" }.Select(l => new LanguageText(l,
            () => DemoFiles.ReadLines(Path.Combine(DemoFiles.Root, "mono", "gnome", l + ".txt.gz")).Take(800))).ToList();
        var config = new TokenizerTrainingConfig
        {
            VocabSize = vocabSize, MaxSentences = 1200, Threads = 2, UserDefinedSymbols = ["<2en>", "<2de>"],
        };
        return SentencePieceTokenizer.Load(TokenizerTrainer.Train(config, corpus, Path.Combine(_dir, name)).ModelPath);
    }
}

[CollectionDefinition(Name)]
public sealed class SmallTokenizerCollection : ICollectionFixture<SmallTokenizerFixture>
{
    public const string Name = "small tokenizers";
}
