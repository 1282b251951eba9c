using System.Text.Json;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests.Training;

[Collection(TrainedTokenizerCollection.Name)]
public sealed class TokenizerTrainerTests(TrainedTokenizerFixture trained)
{
    [Fact]
    public void SampleFollowsTheTemperatureProbabilities_When_NoLanguageRunsOut()
    {
        // Given the fixture's sample: 6,000 sentences over 16 languages at alpha 0.3, each
        // language offering more sentences than its share
        var summary = trained.Summary;
        var budget = summary.SampledPerLanguage.Values.Sum();

        // Then each language's share of the sample is within 0.5 percentage points of p(lang)
        Assert.Equal(trained.Config.MaxSentences, budget);
        foreach (var (language, sampled) in summary.SampledPerLanguage)
        {
            Assert.True(sampled < summary.SentencesPerLanguage[language], $"{language} ran out");
            Assert.InRange((double)sampled / budget, summary.Probabilities[language] - 0.005, summary.Probabilities[language] + 0.005);
        }
    }

    [Fact]
    public void SummaryRecordsTheSample_When_TrainingFinishes()
    {
        var path = Path.Combine(trained.Directory, TokenizerTrainer.SummaryFileName);
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.Equal(4000, json.RootElement.GetProperty("vocab_size").GetInt32());
        Assert.Equal(16, json.RootElement.GetProperty("sampled_per_language").EnumerateObject().Count());
    }

    [Fact]
    public void OptionsKeepEncodingLossless_When_BuiltFromTheDefaults()
    {
        var options = TokenizerTrainer.BuildOptions(new TokenizerTrainingConfig(), 10).Split('\n');
        Assert.Contains("normalization_rule_name=identity", options);
        Assert.Contains("add_dummy_prefix=false", options);
        Assert.Contains("remove_extra_whitespaces=false", options);
        Assert.Contains("byte_fallback=true", options);
        Assert.Contains("split_digits=true", options);
        Assert.Contains("model_type=bpe", options);
        Assert.DoesNotContain(options, o => o.StartsWith("model_prefix=", StringComparison.Ordinal));
    }

    [Fact]
    public void ModelBytesAreIdentical_When_TheSameCorpusIsTrainedTwiceIntoDifferentDirectories()
    {
        // Given a small two-language corpus and two output directories
        var corpus = new[] { "en", "de" }.Select(l => new LanguageText(l,
            () => DemoCorpus.ReadLines(DemoCorpus.MonoFiles[l]).Take(300))).ToList();
        var config = new TokenizerTrainingConfig { VocabSize = 500, MaxSentences = 400, Threads = 2 };

        // When it is trained twice
        var first = TokenizerTrainer.Train(config, corpus, Path.Combine(trained.Directory, "a"));
        var second = TokenizerTrainer.Train(config, corpus, Path.Combine(trained.Directory, "b", "c"));

        // Then the .model files are byte for byte the same (shard manifests record their hash)
        Assert.Equal(File.ReadAllBytes(first.ModelPath), File.ReadAllBytes(second.ModelPath));
        Assert.True(File.Exists(Path.ChangeExtension(second.ModelPath, ".vocab")));
    }

    [Fact]
    public void TrainingThrowsNamingTheLanguage_When_ALanguageHasNoText()
    {
        var corpus = new[] { new LanguageText("en", () => ["hello world"]), new LanguageText("xx", () => ["", "\n"]) };
        var error = Assert.Throws<TokenizerException>(() =>
            TokenizerTrainer.Train(new TokenizerTrainingConfig { VocabSize = 300 }, corpus, trained.Directory));
        Assert.Contains("xx", error.Message);
    }
}
