using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Training.Optimization;

namespace PolyGlot.Training.Tests.Optimization;

[Collection(Trainer.TorchStateCollection.Name)]
public sealed class DecayPolicyTests
{
    [Fact]
    public void DecaysOnlyProjectionMatrices_When_PolyLmModel()
    {
        // Given a PolyLM model with an untied head
        var config = new ModelConfig { VocabSize = 20, DModel = 8, NLayers = 1, NHeads = 2, MaxSeqLen = 4, TiedEmbeddings = false };
        using var model = TransformerModel.Create(config, Device.Cpu, seed: 1);

        // When the AdamW groups are built with weight decay 0.1
        var (groups, ordered) = DecayPolicy.Groups(model.Parameters, 0.1);

        // Then the first group (decay 0.1) holds the six matrices, the second (decay 0) embeddings, biases and norms
        Assert.Equal([0.1, 0.0], groups.Select(g => g.WeightDecay));
        Assert.Equal(["layers.0.attn.wq.weight", "layers.0.attn.wk.weight", "layers.0.attn.wv.weight", "layers.0.attn.wo.weight",
            "layers.0.mlp.fc_in.weight", "layers.0.mlp.fc_out.weight", "head.weight"], ordered.Take(groups[0].Parameters.Count).Select(p => p.Name));
        Assert.All(ordered.Skip(groups[0].Parameters.Count), p => Assert.NotEqual(ParameterKind.Matrix, p.Kind));
        Assert.Contains(ordered.Skip(groups[0].Parameters.Count), p => p.Name == "embed.tokens.weight");
        Assert.Equal(model.Parameters.Count, ordered.Count);
    }
}
