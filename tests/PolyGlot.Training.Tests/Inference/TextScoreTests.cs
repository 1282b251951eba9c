using PolyGlot.Training.Inference;
using PolyGlot.Training.Tests.Export;

namespace PolyGlot.Training.Tests.Inference;

[Collection(ExportCollection.Name)]
public sealed class TextScoreTests(ExportFixture fixture)
{
    [Fact]
    public void ScoreRefused_When_TextEmpty()
    {
        // Given a model and its tokenizer
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        // When the empty text is scored
        var error = Assert.Throws<ArgumentException>(() => TextScore.Of(model, fixture.Tokenizer, ""));
        // Then the error says the text is empty
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void EveryTokenScoredAfterEndOfDocument_When_TextScored()
    {
        // Given a model and a Korean sentence
        using var model = ExportFixture.RandomModel(fixture.PolyLm());
        var text = ExportFixture.Texts[3];
        // When it is scored
        var score = TextScore.Of(model, fixture.Tokenizer, text);
        // Then each token gets the log-probability the model assigns after </s> and the tokens before it
        var ids = fixture.Tokenizer.Encode(text);
        Assert.Equal(ids, score.TokenIds);
        var context = new[] { fixture.Tokenizer.Special.EosId }.Concat(ids).ToArray();
        var rows = TokenScorer.NextTokenLogProbs(model, context);
        Assert.Equal(ids.Select((id, t) => (double)rows[t][id]), score.LogProbs);
        Assert.Equal(-score.LogProbs.Sum() / Math.Log(2) / System.Text.Encoding.UTF8.GetByteCount(text), score.BitsPerByte, 12);
    }
}
