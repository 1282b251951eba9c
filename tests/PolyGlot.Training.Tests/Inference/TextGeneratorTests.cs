using PolyGlot.Training.Inference;
using PolyGlot.Training.Tests.Export;

namespace PolyGlot.Training.Tests.Inference;

[Collection(ExportCollection.Name)]
public sealed class TextGeneratorTests(ExportFixture fixture)
{
    [Fact]
    public void EachTokenIsTheMostLikely_When_Greedy()
    {
        // Given a model and a prompt
        using var model = ExportFixture.RandomModel(fixture.Llama());
        var prompt = fixture.TextIds()[0];
        // When four tokens are generated greedily
        var generated = TextGenerator.Generate(model, prompt, new SamplingOptions(MaxNewTokens: 4));
        // Then each is the argmax of the model's next-token distribution after the tokens before it
        var context = prompt.ToList();
        foreach (var token in generated)
        {
            var last = TokenScorer.NextTokenLogProbs(model, context)[^1];
            Assert.Equal(Array.IndexOf(last, last.Max()), token);
            context.Add(token);
        }
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("polylm")]
    public void CachedGenerationEqualsUncachedGreedy_When_ManyTokensAreGenerated(string layout)
    {
        // Given a model of each layout and a prompt
        using var model = ExportFixture.RandomModel(layout == "llama" ? fixture.Llama() : fixture.PolyLm());
        var prompt = fixture.TextIds()[1].Take(8).ToList();
        var tokens = Math.Min(16, model.Config.MaxSeqLen - prompt.Count);
        // When tokens are generated with the key/value cache (one new position per step)
        var generated = TextGenerator.Generate(model, prompt, new SamplingOptions(MaxNewTokens: tokens));
        // Then they are the tokens that re-running the whole window picks, token for token
        var context = prompt.ToList();
        var uncached = new List<int>();
        for (var i = 0; i < tokens; i++)
        {
            var last = TokenScorer.NextTokenLogProbs(model, context)[^1];
            uncached.Add(Array.IndexOf(last, last.Max()));
            context.Add(uncached[^1]);
        }
        Assert.Equal(uncached, generated);
    }

    [Fact]
    public void SameContinuation_When_SampledTwiceWithOneSeed()
    {
        // Given a model and a prompt
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var prompt = fixture.TextIds()[2];
        var options = new SamplingOptions(MaxNewTokens: 6, Temperature: 1.5, TopP: 0.95, Seed: 42);
        // When sampling twice with the same seed, and once with another
        var first = TextGenerator.Generate(model, prompt, options);
        var second = TextGenerator.Generate(model, prompt, options);
        var other = TextGenerator.Generate(model, prompt, options with { Seed = 43 });
        // Then the same seed reproduces the continuation and another seed changes it
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void OnlyTheMostLikelyTokenDrawn_When_TopPIsTiny()
    {
        // Given a distribution with one clear favourite
        float[] logProbs = [MathF.Log(0.1f), MathF.Log(0.6f), MathF.Log(0.3f)];
        var random = new Random(5);
        // When sampling 200 times with top-p 0.01
        var draws = Enumerable.Range(0, 200).Select(_ => TextGenerator.Sample(logProbs, new SamplingOptions(Temperature: 1, TopP: 0.01), random));
        // Then only the favourite is ever drawn
        Assert.All(draws, d => Assert.Equal(1, d));
    }

    [Fact]
    public void GenerationRefused_When_PromptEmpty()
    {
        // Given a model
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        // When generating from no tokens
        var error = Assert.Throws<ArgumentException>(() => TextGenerator.Generate(model, [], new SamplingOptions()));
        // Then the error says the text is empty
        Assert.Contains("empty", error.Message);
    }
}
