using PolyGlot.Common.Configuration;
using PolyGlot.Model.Configuration;

namespace PolyGlot.Model.Tests.Configuration;

public sealed class ModelConfigTests
{
    private static IReadOnlyList<ConfigError> Errors(ModelConfig config)
    {
        var errors = new ConfigErrors();
        config.Validate(errors, "model");
        return errors.All;
    }

    [Fact]
    public void Accepts_When_Defaults()
    {
        Assert.Empty(Errors(new ModelConfig()));
    }

    [Fact]
    public void NamesHeadArithmetic_When_DModelNotDivisibleByHeads()
    {
        var error = Assert.Single(Errors(new ModelConfig { DModel = 100, NHeads = 12 }));

        Assert.Equal("model.d_model = 100: must be divisible by n_heads = 12 (100 / 12 is not a whole head width)", error.ToString());
    }

    [Fact]
    public void RefusesGroupedQueryAttention_When_PolyLmLayout()
    {
        var error = Assert.Single(Errors(new ModelConfig { NKvHeads = 4 }));

        Assert.Equal("model.n_kv_heads", error.Key);
        Assert.Contains("needs layout llama", error.Rule);
    }

    [Fact]
    public void Refuses_When_KvHeadsDoNotDivideHeads()
    {
        var error = Assert.Single(Errors(new ModelConfig { Layout = "llama", NHeads = 12, NKvHeads = 5 }));

        Assert.Equal("model.n_kv_heads = 5: must be a positive divisor of n_heads = 12 (each key/value head serves a whole group of query heads)",
            error.ToString());
    }

    [Fact]
    public void Refuses_When_LlamaHeadWidthOdd()
    {
        var error = Assert.Single(Errors(new ModelConfig { Layout = "llama", DModel = 36, NHeads = 4 }));

        Assert.Contains("d_model / n_heads = 9 must be even", error.Rule);
    }

    [Fact]
    public void Refuses_When_LayoutUnknown()
    {
        var error = Assert.Single(Errors(new ModelConfig { Layout = "gpt3" }));

        Assert.Equal("model.layout = 'gpt3': must be one of: polylm, llama", error.ToString());
    }

    [Fact]
    public void Refuses_When_DropoutIsOne()
    {
        var error = Assert.Single(Errors(new ModelConfig { Dropout = 1 }));

        Assert.Equal("model.dropout", error.Key);
    }
}
