using PolyGlot.Model.Configuration;

namespace PolyGlot.Model.Tests.Configuration;

public sealed class ModelSizeTests
{
    private static ModelConfig Gpt2Small() => new()
    {
        Layout = "polylm", VocabSize = 50_257, DModel = 768, NLayers = 12, NHeads = 12, MaxSeqLen = 1024, TiedEmbeddings = true,
    };

    private static ModelConfig Llama2_7B() => new()
    {
        Layout = "llama", VocabSize = 32_000, DModel = 4096, NLayers = 32, NHeads = 32, FfnHidden = 11_008,
        MaxSeqLen = 4096, TiedEmbeddings = false,
    };

    [Fact]
    public void MatchesGpt2SmallPublishedCount_When_PolyLmLayout()
    {
        // GPT-2 small (Hugging Face gpt2) has 124,439,808 parameters.
        Assert.Equal(124_439_808, ModelSize.Of(Gpt2Small()).Total);
    }

    [Fact]
    public void MatchesLlama2_7BPublishedCount_When_LlamaLayout()
    {
        // meta-llama/Llama-2-7b-hf has 6,738,415,616 parameters.
        Assert.Equal(6_738_415_616, ModelSize.Of(Llama2_7B()).Total);
    }

    [Fact]
    public void CountsGroupedKeyValueHeads_When_FewerKvHeads()
    {
        // TinyLlama-1.1B (22 x 2048, 32 heads, 4 kv heads, ffn 5632, vocab 32000, untied) has 1,100,048,384.
        var config = new ModelConfig
        {
            Layout = "llama", VocabSize = 32_000, DModel = 2048, NLayers = 22, NHeads = 32, NKvHeads = 4,
            FfnHidden = 5632, TiedEmbeddings = false,
        };

        Assert.Equal(1_100_048_384, ModelSize.Of(config).Total);
    }

    [Fact]
    public void AddsHead_When_Untied()
    {
        var tied = Gpt2Small();
        var untied = Gpt2Small();
        untied.TiedEmbeddings = false;

        Assert.Equal(50_257L * 768, ModelSize.Of(untied).Total - ModelSize.Of(tied).Total);
        Assert.Equal(ModelSize.Of(tied).Matmul, ModelSize.Of(untied).Matmul);
    }

    [Fact]
    public void FollowsSixNPlusAttention_When_FlopsPerToken()
    {
        // N = 12 x (4 x 768^2 + 2 x 768 x 3072) + 50257 x 768 = 84,934,656 + 38,597,376 = 123,532,032
        // F = 6N + 12 x 12 x 768 x 1024 = 741,192,192 + 113,246,208 = 854,438,400
        Assert.Equal(123_532_032, ModelSize.Of(Gpt2Small()).Matmul);
        Assert.Equal(854_438_400.0, ModelSize.FlopsPerToken(Gpt2Small(), 1024));
    }

    [Fact]
    public void DividesAchievedByPeak_When_Mfu()
    {
        // 100,000 tokens/s x 4e9 FLOPs/token = 4e14 FLOP/s of a 989.5e12 peak.
        Assert.Equal(4e14 / 989.5e12, ModelSize.Mfu(100_000, 4e9, 989.5e12), 12);
    }

    [Fact]
    public void RoundsLlamaFfnToMultipleOf256_When_NotGiven()
    {
        // Llama-2-7B: 2 x 4 x 4096 / 3 = 10,922 -> 11,008.
        Assert.Equal(11_008, ModelConfig.DefaultFfnHidden("llama", 4096));
        Assert.Equal(4 * 768, ModelConfig.DefaultFfnHidden("polylm", 768));
    }
}
