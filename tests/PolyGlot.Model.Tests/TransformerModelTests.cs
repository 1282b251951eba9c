using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;

namespace PolyGlot.Model.Tests;

[Collection(TorchStateCollection.Name)]
public sealed class TransformerModelTests
{
    [Theory]
    [InlineData("polylm-tied")]
    [InlineData("polylm-untied")]
    [InlineData("llama-gqa")]
    public void ParameterCountEqualsModelSize_When_Built(string layout)
    {
        // Given a configuration
        var config = TransformerModelReferenceTests.Config(layout);

        // When the model is built
        using var model = TransformerModel.Create(config, Device.Cpu, seed: 1);

        // Then its parameters add up to the arithmetic of ModelSize
        Assert.Equal(ModelSize.Of(config).Total, model.Parameters.Sum(p => p.NumEl));
    }

    [Fact]
    public void WeightsAreIdentical_When_SameSeed()
    {
        // Given two models built with the same seed
        var config = TransformerModelReferenceTests.Config("llama-gqa");
        using var first = TransformerModel.Create(config, Device.Cpu, seed: 3);
        using var second = TransformerModel.Create(config, Device.Cpu, seed: 3);

        // Then every parameter holds the same bytes
        foreach (var (a, b) in first.Parameters.Zip(second.Parameters))
            Assert.Equal(a.Tensor.ToBytes(), b.Tensor.ToBytes());
    }

    [Fact]
    public void InitialisesWithConfiguredStd_When_PolyLmInit()
    {
        // Given PolyLM's init std of 0.006 on a model wide enough to measure it
        var config = new ModelConfig { VocabSize = 1000, DModel = 256, NLayers = 2, NHeads = 4, MaxSeqLen = 32, InitStd = 0.006 };

        // When the model is built
        using var model = TransformerModel.Create(config, Device.Cpu, seed: 5);

        // Then matrices have std 0.006, residual projections 0.006 / sqrt(2L), biases 0 and gains 1
        Assert.Equal(0.006, Std(model.Parameter("layers.0.attn.wq.weight")), 3e-4);
        Assert.Equal(0.006 / 2, Std(model.Parameter("layers.1.mlp.fc_out.weight")), 2e-4);
        Assert.All(model.Parameters.Where(p => p.Kind == ParameterKind.Bias), p => Assert.All(p.Tensor.ToArray<float>(), v => Assert.Equal(0f, v)));
        Assert.All(model.Parameter("final_norm.weight").Tensor.ToArray<float>(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void NamesFollowLayout_When_Llama()
    {
        // Given a Llama model with an untied head
        using var model = TransformerModel.Create(TransformerModelReferenceTests.Config("llama-gqa"), Device.Cpu, seed: 1);

        // Then the names are PolyGlot's, without biases or position embeddings
        var names = model.Parameters.Select(p => p.Name).ToList();
        Assert.Equal(["embed.tokens.weight", "layers.0.attn_norm.weight", "layers.0.attn.wq.weight", "layers.0.attn.wk.weight",
            "layers.0.attn.wv.weight", "layers.0.attn.wo.weight", "layers.0.mlp_norm.weight", "layers.0.mlp.gate.weight",
            "layers.0.mlp.up.weight", "layers.0.mlp.down.weight"], names.Take(10));
        Assert.Equal(["final_norm.weight", "head.weight"], names.TakeLast(2));
        Assert.Equal([16, 32], model.Parameter("layers.1.attn.wk.weight").Shape);
    }

    [Fact]
    public void Throws_When_InputLongerThanMaxSeqLen()
    {
        // Given a model built for 16 positions
        using var model = TransformerModel.Create(TransformerModelReferenceTests.Config("polylm-tied"), Device.Cpu, seed: 1);
        using var scope = DisposeScope.Enter();

        // When it is given 17
        var error = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 17], DType.Int64)));

        // Then the message names the limit
        Assert.Contains("model.max_seq_len = 16", error.Message);
    }

    [Theory]
    [InlineData("polylm-tied")]
    [InlineData("llama-gqa")]
    public void BFloat16LossStaysCloseToFloat32_When_ReducedPrecision(string layout)
    {
        // Given a model and a batch
        using var model = TransformerModel.Create(TransformerModelReferenceTests.Config(layout), Device.Cpu, seed: 2);
        using var scope = DisposeScope.Enter();
        var tokens = Tensor.RandInt(0, model.Config.VocabSize, [2, 13]);
        var (inputs, targets) = (tokens.Narrow(1, 0, 12), tokens.Narrow(1, 1, 12));
        var full = model.Loss(inputs, targets).ToDouble();

        // When the matrix multiplications run in bfloat16
        model.Precision = ComputePrecision.BFloat16;
        var reduced = model.Loss(inputs, targets);

        // Then the loss is float32, within 2% of the float32 loss, and reaches the float32 master weights' gradients
        Assert.Equal(DType.Float32, reduced.DType);
        Assert.Equal(full, reduced.ToDouble(), full * 0.02);
        reduced.Backward();
        Assert.All(model.Parameters, p => Assert.Equal(DType.Float32, p.Tensor.Grad!.DType));
    }

    [Theory]
    [InlineData("polylm-tied", 5)]     // 5 does not divide B·T = 24
    [InlineData("polylm-untied", 7)]
    [InlineData("llama-gqa", 5)]
    [InlineData("llama-gqa", 64)]      // one chunk larger than B·T
    public void TokenLossesAndEveryGradientAreUnchanged_When_TheLossIsChunked(string layout, long chunk)
    {
        // Given a model and a batch with ignored targets
        using var model = TransformerModel.Create(TransformerModelReferenceTests.Config(layout), Device.Cpu, seed: 4);
        using var scope = DisposeScope.Enter();
        var tokens = Tensor.RandInt(0, model.Config.VocabSize, [2, 13]);
        var inputs = tokens.Narrow(1, 0, 12);
        var targets = tokens.Narrow(1, 1, 12).Contiguous();
        targets.Narrow(1, 0, 3).Fill(TransformerModel.IgnoreIndex);

        // When the token losses are computed and back-propagated plain and chunked
        var plain = LossesAndGradients(model, inputs, targets, lossChunkPositions: 0);
        var chunked = LossesAndGradients(model, inputs, targets, lossChunkPositions: chunk);

        // Then losses and every parameter gradient agree within 1e-5 relative + 1e-6 absolute
        Reference.Tolerance.AssertClose(plain.Losses, chunked.Losses, "token losses");
        Assert.Equal(0f, chunked.Losses[0]);
        foreach (var parameter in model.Parameters)
            Reference.Tolerance.AssertClose(plain.Gradients[parameter.Name], chunked.Gradients[parameter.Name], parameter.Name);
    }

    [Fact]
    public void Throws_When_LossChunkPositionsIsNegative()
    {
        using var model = TransformerModel.Create(TransformerModelReferenceTests.Config("polylm-tied"), Device.Cpu, seed: 1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.LossChunkPositions = -1);

        Assert.Contains("0 (no chunking) or positive", error.Message);
    }

    // Back-propagates what the trainer does: the summed token losses over the counted tokens.
    private static (float[] Losses, Dictionary<string, float[]> Gradients) LossesAndGradients(
        TransformerModel model, Tensor inputs, Tensor targets, long lossChunkPositions)
    {
        using var scope = DisposeScope.Enter();
        Tensor.ZeroGrads(model.Parameters.Select(p => p.Tensor).ToList(), setToNone: true);
        model.LossChunkPositions = lossChunkPositions;
        var losses = model.TokenLosses(inputs, targets);  // (B·T)
        (losses.Sum() / targets.Ne(TransformerModel.IgnoreIndex).Sum()).Backward();
        return (losses.ToArray<float>(), model.Parameters.ToDictionary(p => p.Name, p => p.Tensor.Grad!.ToArray<float>()));
    }

    private static double Std(ModelParameter parameter)
    {
        var values = parameter.Tensor.ToArray<float>();
        var mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }
}
