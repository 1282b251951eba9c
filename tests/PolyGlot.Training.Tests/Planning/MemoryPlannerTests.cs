using PolyGlot.Model.Configuration;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Planning;

namespace PolyGlot.Training.Tests.Planning;

/// <summary>
/// The plan's arithmetic on a model small enough to count by hand: polylm, V = 100, C = 16, L = 2,
/// H = 2, F = 64, max_seq_len 8, tied head; micro-batch B = 2 of T = 8 (u = B·T·C = 256 elements,
/// f = B·T·F = 1,024, B·H·T² = 256, B·T = 16), fp32 on the CPU with the math attention kernel and the
/// multi-tensor AdamW, over N = 2 Gloo ranks.
/// Parameters: embedding 100 x 16 = 1,600, positions 8 x 16 = 128, final norm 2 x 16 = 32; a block
/// 4 x 16² + 2 x 16 x 64 (matmuls) + 3·16 + 16 + 64 + 16 (biases) + 4 x 16 (norms) = 3,280; P = 1,600 +
/// 128 + 2 x 3,280 + 32 = 8,320. Units over 2 ranks: blocks 3,280 / 2 = 1,640 each, the outer unit
/// (1,600 + 128 + 32) / 2 = 880, so S = 2 x 1,640 + 880 = 4,160.
/// </summary>
public sealed class MemoryPlannerTests
{
    private static readonly PlanTarget Cpu = new(Cuda: false, AttentionKernel.Math, FusedAdamW: false, Memory: null, "test");

    [Fact]
    public void EveryItemIsTheHandCountedOne_When_PlainDataParallel()
    {
        // Given zero 0 on 2 ranks
        var plan = new MemoryPlanner(Run(), Cpu).Plan(new PlanSettings(2, 0, 2, false));

        // Then 4P, 4P and 8P bytes of state
        Assert.Equal(8_320, plan.ParameterCount);
        Assert.Equal(33_280, plan.Parameters.Bytes);
        Assert.Equal(33_280, plan.Gradients.Bytes);
        Assert.Equal(66_560, plan.OptimizerState.Bytes);
        Assert.Equal(0, plan.GatheredUnits.Bytes);
        // Each block keeps (4 B each): LayerNorm outputs 2 x 256 + mean and rstd 2 x 2 x 16, residual sums 2 x 256,
        // q, k, v 3 x 256, their batched copies 3 x 256, the softmax 256, attention output, contiguous copy and
        // projection 3 x 256, GELU input and output 2 x 1,024, the MLP projection 256: 5,952 x 4 = 23,808.
        // Outside: the embedding and its sum with positions 2 x 256, the final norm 256 + 2 x 16: 800 x 4 = 3,200.
        Assert.Equal(2 * 23_808 + 3_200, plan.Activations.Bytes);
        // Unchunked loss: 4 x B·T x V x 4 B = 4 x 16 x 100 x 4 = 25,600, over one block's backward:
        // max(softmax gradients 2 x 256 + 3 x 256, GELU gradients 2 x 1,024 + 2 x 256) x 4 B = 10,240.
        Assert.Equal(25_600, plan.Loss.Bytes);
        // Gradient buckets of 4P after backward (the multi-tensor AdamW's 4P comes later, not at once).
        Assert.Equal(33_280, plan.StepBuffers.Bytes);
        Assert.Equal(33_280 * 2 + 66_560 + 50_816 + 25_600, plan.Total);
    }

    [Fact]
    public void MomentsAndReceivedGradientsAreAPart_When_ZeroOne()
    {
        var plan = new MemoryPlanner(Run(), Cpu).Plan(new PlanSettings(2, 1, 2, false));

        // Whole gradients plus the rank's part S = 4,160, and the moments of that part: (8,320 + 4,160) x 4 and 2 x 4 x 4,160.
        Assert.Equal(49_920, plan.Gradients.Bytes);
        Assert.Equal(33_280, plan.OptimizerState.Bytes);
        // Reduce-scatter of the largest unit (a block: 2 x 1,640 elements packed, Gloo's copy, the part received):
        // (2 x 3,280 + 1,640) x 4 = 32,800, over the all-gather's (1,640 + 3,280) x 4 and AdamW's 4,160 x 4.
        Assert.Equal(32_800, plan.StepBuffers.Bytes);
        Assert.Equal(33_280 + 49_920 + 33_280 + 50_816 + 25_600, plan.Total);
    }

    [Fact]
    public void ParametersAreAPartAndTheLargestUnitIsGathered_When_ZeroThree()
    {
        var plan = new MemoryPlanner(Run(), Cpu).Plan(new PlanSettings(2, 3, 2, false));

        // 4 x S = 16,640 of fp32 master weights; the largest unit (a block, 3,280) gathered into its fp32 parameters
        // through a flat buffer of its size: 2 x 3,280 x 4.
        Assert.Equal(16_640, plan.Parameters.Bytes);
        Assert.Equal(26_240, plan.GatheredUnits.Bytes);
        // The part 4 x 4,160, and whole in flight the head's 1,600 and a block's 3,280: 4 x 4,880.
        Assert.Equal(16_640 + 19_520, plan.Gradients.Bytes);
        Assert.Equal(19_520, plan.GradientsInFlight);
        // A block's reduce-scatter while activations are held: 2 x 1,640 packed, Gloo's copy of them and the
        // part received, (2 x 3,280 + 1,640) x 4 = 32,800, more than the loss's 25,600.
        Assert.Equal(32_800, plan.Loss.Bytes);
        // After backward only AdamW's sqrt of the second moment over the part: 4 x 4,160.
        Assert.Equal(16_640, plan.StepBuffers.Bytes);
    }

    [Fact]
    public void OnlyBlockOutputsAreKept_When_ActivationCheckpointing()
    {
        var plan = new MemoryPlanner(Run(), Cpu).Plan(new PlanSettings(2, 0, 2, true));

        // Two block outputs and the embedding stage's two tensors, 4 x 256 x 4 B = 4,096; at the peak the final
        // norm's 1,152, the held logits 16 x 100 x 4 = 6,400, a recomputed block 23,808, its input's gradient
        // 1,024 and its working set 10,240 (over the loss's 25,600).
        Assert.Equal(4_096, plan.Activations.Bytes);
        Assert.Equal(1_152 + 6_400 + 23_808 + 1_024 + 10_240, plan.Loss.Bytes);
        Assert.Equal(4_096 + 42_624, plan.ActivationsCheckpointed);
        Assert.Equal(50_816 + 25_600, plan.ActivationsPlain);
    }

    [Fact]
    public void FitsIsUnknown_When_NoDeviceMemoryIsGiven()
    {
        var plan = new MemoryPlanner(Run(), Cpu).Plan(2);

        Assert.Null(plan.Fits);
        Assert.Null(plan.Suggestion);
    }

    [Fact]
    public void SuggestsTheNextStageAlone_When_ItIsEnough()
    {
        // Given 220,000 B (198,000 usable): zero 0 needs 209,536, zero 1 192,896
        var plan = new MemoryPlanner(Run(), Cpu with { Memory = new DeviceMemory(220_000, "test") }).Plan(2);

        Assert.False(plan.Fits);
        Assert.Equal("training.distributed.zero 0 -> 1", plan.Suggestion!.Change);
        Assert.True(plan.Suggestion.Plan.Fits);
        Assert.Equal(192_896, plan.Suggestion.Plan.Total);
    }

    [Fact]
    public void AddsRanksOnlyWhenNothingElseFits_When_TheSearchGoesOn()
    {
        // Given 161,000 B (144,900 usable). On 2 ranks the least any stage, checkpointing and micro-batch needs is
        // zero 1, micro-batch 1, checkpointing: its step, 4 x 8,320 + 49,920 + 33,280 + 32,800 = 149,280. On 4 ranks
        // the global batch of 4 allows micro-batch 1 only (u = 128): zero 0 needs 2 x 33,280 + 66,560 + 38,208 of
        // activations and loss; zero 1 (S = 2 x 820 + 440 = 2,080) 33,280 + 4 x (8,320 + 2,080) + 8 x 2,080 +
        // 38,208 = 129,728, where a block keeps 2,976 x 4 B and the unchunked loss is 4 x 8 x 100 x 4 B = 12,800.
        var plan = new MemoryPlanner(Run(), Cpu with { Memory = new DeviceMemory(161_000, "test") }).Plan(2);

        // Then the suggestion adds ranks, and with them the least else: no checkpointing
        Assert.Equal("training.distributed.zero 0 -> 1, training.micro_batch_size 2 -> 1 (accumulation 1), world size 2 -> 4",
            plan.Suggestion!.Change);
        Assert.Equal(new PlanSettings(4, 1, 1, false), plan.Suggestion.Plan.Settings);
        Assert.Equal(129_728, plan.Suggestion.Plan.Total);
    }

    [Theory]
    [InlineData("80GB", 80_000_000_000)]
    [InlineData("80 GB", 80_000_000_000)]
    [InlineData("79.5GiB", 85_362_475_008)]
    [InlineData("512MB", 512_000_000)]
    [InlineData("4096", 4_096)]
    public void ReadsTheSize_When_GivenWithAUnit(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text));

    [Theory]
    [InlineData("80 gigs")]
    [InlineData("-1GB")]
    [InlineData("")]
    public void SaysWhatIsAccepted_When_TheSizeIsNotOne(string text)
    {
        var error = Assert.Throws<FormatException>(() => ByteSize.Parse(text));
        Assert.Contains("e.g. 80GB", error.Message);
    }

    private static RunConfig Run() => new()
    {
        Name = "tiny",
        Model = new ModelConfig
        {
            Layout = "polylm", VocabSize = 100, DModel = 16, NLayers = 2, NHeads = 2, FfnHidden = 64, MaxSeqLen = 8, TiedEmbeddings = true,
        },
        Data = { SeqLen = 8, GlobalBatchSize = 4 },
        Training = { Device = "cpu", MicroBatchSize = 2 },
    };
}
