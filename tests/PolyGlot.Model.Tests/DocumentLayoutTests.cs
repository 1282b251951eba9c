using PolyGlot.Model.Configuration;
using PolyGlot.Torch;

namespace PolyGlot.Model.Tests;

[Collection(TorchStateCollection.Name)]
public sealed class DocumentLayoutTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData("polylm")]
    [InlineData("llama")]
    public void SecondDocumentHasTheLogitsItHasAlone_When_TwoDocumentsArePackedWithBoundaries(string layout)
    {
        // Given a model and two documents (5 and 6 tokens) packed into one row of 11
        using var model = TransformerModel.Create(Config(layout), Device.Cpu, seed: 3);
        model.Training = false;
        using var scope = DisposeScope.Enter();
        long[] first = [5, 17, 3, 29, 2], second = [41, 7, 7, 13, 50, 2];
        var packed = Tensor.FromArray<long>([.. first, .. second], 1, 11);
        var layout2 = new DocumentLayout(
            Tensor.FromArray<long>([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5], 1, 11),
            Tensor.FromArray<long>([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 1, 11));

        // When the packed row runs with its document layout, and the second document runs alone
        var packedLogits = model.Forward(packed, layout2).Narrow(1, 5, 6).ToArray<float>();  // (1, 6, V)
        var aloneLogits = model.Forward(Tensor.FromArray(second, 1, 6)).ToArray<float>();     // (1, 6, V)

        // Then the second document's logits are the same in both
        AssertClose(aloneLogits, packedLogits);
        // And without the layout the first document leaks into them
        var leaking = model.Forward(packed).Narrow(1, 5, 6).ToArray<float>();
        Assert.True(MaxDifference(aloneLogits, leaking) > 1e-3, "without boundaries the packed document should see the first one");
    }

    [Fact]
    public void FirstDocumentIsUnchanged_When_ADocumentFollowsIt()
    {
        // Given a causal model, a document's logits never depend on what follows it, boundaries or not
        using var model = TransformerModel.Create(Config("polylm"), Device.Cpu, seed: 3);
        model.Training = false;
        using var scope = DisposeScope.Enter();
        var packed = Tensor.FromArray<long>([5, 17, 3, 41, 7, 7], 1, 6);
        var layout = new DocumentLayout(Tensor.FromArray<long>([0, 1, 2, 0, 1, 2], 1, 6), Tensor.FromArray<long>([0, 0, 0, 1, 1, 1], 1, 6));

        var packedLogits = model.Forward(packed, layout).Narrow(1, 0, 3).ToArray<float>();
        var aloneLogits = model.Forward(Tensor.FromArray<long>([5, 17, 3], 1, 3)).ToArray<float>();

        AssertClose(aloneLogits, packedLogits);
    }

    private static ModelConfig Config(string layout) => new()
    {
        Layout = layout, VocabSize = 64, DModel = 32, NLayers = 2, NHeads = 4, NKvHeads = layout == "llama" ? 2 : null,
        FfnHidden = 64, MaxSeqLen = 16, InitStd = 0.1,
    };

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        var worst = MaxDifference(expected, actual);
        Assert.True(worst <= Tolerance * scale, $"max difference {worst:E2} against max |logit| {scale:E2}");
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
}
