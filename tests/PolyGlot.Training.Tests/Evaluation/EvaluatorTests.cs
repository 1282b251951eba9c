using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Training.Evaluation;

namespace PolyGlot.Training.Tests.Evaluation;

[Collection(Trainer.TorchStateCollection.Name)]
public sealed class EvaluatorTests
{
    private static readonly ModelConfig Shape = new() { VocabSize = 30, DModel = 8, NLayers = 1, NHeads = 2, MaxSeqLen = 6 };

    [Fact]
    public void BitsPerByteIsLossOverLn2TimesTokensPerByte_When_Evaluated()
    {
        // Given two languages with 3 rows each and known tokens per byte
        using var model = TransformerModel.Create(Shape, Device.Cpu, seed: 4);
        var random = new Random(1);
        int[][] Rows() => Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 7).Select(_ => random.Next(30)).ToArray()).ToArray();
        var set = new HeldOutSet([new HeldOutLanguage("de", Rows(), 0.25), new HeldOutLanguage("ja", Rows(), 0.5)]);

        // When the model is evaluated in chunks of 2 rows
        var metrics = new Evaluator(set, microRows: 2).Evaluate(model, step: 7);

        // Then per language bpb = loss / ln 2 x tokens per byte, and the overall loss is the token-weighted mean
        Assert.Equal(7, metrics.Step);
        Assert.Equal(metrics.LossPerLanguage["de"] / Math.Log(2) * 0.25, metrics.BitsPerBytePerLanguage["de"], 12);
        Assert.Equal(metrics.LossPerLanguage["ja"] / Math.Log(2) * 0.5, metrics.BitsPerBytePerLanguage["ja"], 12);
        Assert.Equal((metrics.LossPerLanguage["de"] + metrics.LossPerLanguage["ja"]) / 2, metrics.Loss, 12);
        Assert.InRange(metrics.Loss, Math.Log(30) - 0.5, Math.Log(30) + 0.5);
    }

    [Fact]
    public void LeavesModelTrainingAndGradientsUntouched_When_Evaluated()
    {
        // Given a model in training mode
        using var model = TransformerModel.Create(Shape, Device.Cpu, seed: 4);
        var set = new HeldOutSet([new HeldOutLanguage("en", [[1, 2, 3, 4, 5, 6, 7]], 0.3)]);

        // When it is evaluated
        new Evaluator(set, microRows: 1).Evaluate(model, step: 1);

        // Then it is still training and no gradient was recorded
        Assert.True(model.Training);
        Assert.All(model.Parameters, p => Assert.Null(p.Tensor.Grad));
    }
}
