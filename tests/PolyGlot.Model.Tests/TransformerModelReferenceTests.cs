using PolyGlot.Model.Configuration;
using PolyGlot.Model.Tests.Reference;
using PolyGlot.Torch;

namespace PolyGlot.Model.Tests;

/// <summary>
/// The C# model against the independent PyTorch implementation in scripts/reference/model_reference.py:
/// same weights, same batch, float32; the loss and every parameter gradient must agree within
/// 1e-5 relative + 1e-6 absolute per element.
/// </summary>
[Collection(TorchStateCollection.Name)]
public sealed class TransformerModelReferenceTests
{
    private const long Batch = 2, SeqLen = 12;

    public static TheoryData<string> Layouts => new() { "polylm-tied", "polylm-untied", "llama-gqa" };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void LossMatchesReference_When_SameWeightsAndBatch(string layout)
    {
        // Given a model and a batch with some ignored targets
        using var model = TransformerModel.Create(Config(layout), Device.Cpu, seed: 7);
        var (inputs, targets) = Tokens(model.Config.VocabSize);
        using var reference = ModelReference.Grads(model, inputs, targets, Batch, SeqLen);

        // When the C# model computes the loss
        double loss;
        using (DisposeScope.Enter())
            loss = model.Loss(Tensor.FromArray(inputs, Batch, SeqLen), Tensor.FromArray(targets, Batch, SeqLen)).ToDouble();

        // Then it equals the reference's
        Assert.True(Math.Abs(loss - reference.Loss) <= Tolerance.Absolute + Tolerance.Relative * Math.Abs(reference.Loss),
            $"loss {loss:R}, reference {reference.Loss:R}");
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryGradientMatchesReference_When_SameWeightsAndBatch(string layout)
    {
        // Given a model and a batch with some ignored targets
        using var model = TransformerModel.Create(Config(layout), Device.Cpu, seed: 7);
        var (inputs, targets) = Tokens(model.Config.VocabSize);
        using var reference = ModelReference.Grads(model, inputs, targets, Batch, SeqLen);

        // When the C# model back-propagates the loss
        using var scope = DisposeScope.Enter();
        model.Loss(Tensor.FromArray(inputs, Batch, SeqLen), Tensor.FromArray(targets, Batch, SeqLen)).Backward();

        // Then every parameter's gradient equals the reference's
        foreach (var parameter in model.Parameters)
        {
            var grad = parameter.Tensor.Grad ?? throw new InvalidOperationException($"{parameter.Name} received no gradient");
            Tolerance.AssertClose(reference.Floats("grad." + parameter.Name), grad.ToArray<float>(), "grad." + parameter.Name);
        }
        Tensor.ZeroGrads(model.Parameters.Select(p => p.Tensor).ToList());
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void LogitsMatchReference_When_SameWeightsAndBatch(string layout)
    {
        // Given a model and a batch
        using var model = TransformerModel.Create(Config(layout), Device.Cpu, seed: 7);
        var (inputs, targets) = Tokens(model.Config.VocabSize);
        using var reference = ModelReference.Grads(model, inputs, targets, Batch, SeqLen);

        // When the C# model computes next-token logits
        using var scope = DisposeScope.Enter();
        var logits = model.Forward(Tensor.FromArray(inputs, Batch, SeqLen));

        // Then they equal the reference's
        Assert.Equal([Batch, SeqLen, model.Config.VocabSize], logits.Shape);
        Tolerance.AssertClose(reference.Floats("logits"), logits.ToArray<float>(), "logits");
    }

    internal static ModelConfig Config(string layout) => layout switch
    {
        "polylm-tied" => new ModelConfig
        {
            Layout = "polylm", VocabSize = 50, DModel = 32, NLayers = 2, NHeads = 4, FfnHidden = 64, MaxSeqLen = 16,
            TiedEmbeddings = true, InitStd = 0.2,
        },
        "polylm-untied" => new ModelConfig
        {
            Layout = "polylm", VocabSize = 50, DModel = 32, NLayers = 2, NHeads = 2, FfnHidden = 48, MaxSeqLen = 12,
            TiedEmbeddings = false, InitStd = 0.2,
        },
        "llama-gqa" => new ModelConfig
        {
            Layout = "llama", VocabSize = 50, DModel = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, FfnHidden = 40, MaxSeqLen = 16,
            TiedEmbeddings = false, NormEps = 1e-5, RopeTheta = 500, InitStd = 0.2,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown test layout"),
    };

    private static (long[] Inputs, long[] Targets) Tokens(int vocab)
    {
        var random = new Random(11);
        var inputs = Enumerable.Range(0, (int)(Batch * SeqLen)).Select(_ => (long)random.Next(vocab)).ToArray();
        var targets = Enumerable.Range(0, (int)(Batch * SeqLen)).Select(_ => (long)random.Next(vocab)).ToArray();
        targets[3] = targets[17] = targets[20] = TransformerModel.IgnoreIndex;
        return (inputs, targets);
    }
}
