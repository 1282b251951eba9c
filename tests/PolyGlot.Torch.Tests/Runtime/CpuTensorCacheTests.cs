using PolyGlot.Torch.Runtime;

namespace PolyGlot.Torch.Tests.Runtime;

// The cache is process-wide: these tests run alone so that no other test's tensors move its counters.
[Collection(ProcessStateCollection.Name)]
public sealed class CpuTensorCacheTests : IDisposable
{
    // Each test runs with the cache on, whatever the environment says; the process's setting returns after.
    private readonly bool _wasEnabled = CpuTensorCache.Enabled;

    public CpuTensorCacheTests() => CpuTensorCache.Enabled = true;

    public void Dispose() => CpuTensorCache.Enabled = _wasEnabled;

    [Fact]
    public void IsOnUnlessTheEnvironmentTurnsItOff_When_TheLibraryHasLoaded()
    {
        // Given this process's environment (docs/training.md: off, 0, false or no turn it off)
        var setting = Environment.GetEnvironmentVariable("POLYGLOT_CPU_CACHE")?.ToLowerInvariant();
        var turnedOff = setting is "off" or "0" or "false" or "no";

        // Then libtorch's CPU allocations went through the cache unless it was turned off (no other test changes it for good)
        Assert.Equal(!turnedOff, _wasEnabled);
    }

    [Fact]
    public void ServesAFreedBlockAgain_When_ATensorOfTheSameSizeClassFollows()
    {
        // Given a freed 1,000,000-byte tensor (its class is 1,015,808 bytes: 1/16 of 2^19 steps)
        Tensor.Empty([250_000]).Dispose();
        var before = CpuTensorCache.Stats;

        // When tensors of 1,010,000 bytes (the same class) and 1,100,000 bytes (another) are made
        Tensor.Empty([252_500]).Dispose();
        var afterSameClass = CpuTensorCache.Stats;
        Tensor.Empty([275_000]).Dispose();
        var afterOtherClass = CpuTensorCache.Stats;

        // Then the first reuses the freed block and the second needs a new one
        Assert.Equal((before.Hits + 1, before.Misses), (afterSameClass.Hits, afterSameClass.Misses));
        Assert.Equal(afterSameClass.Misses + 1, afterOtherClass.Misses);
    }

    [Fact]
    public void LeavesSmallTensorsToLibtorch_When_TheyAreBelow256KiB()
    {
        // Given the counters now
        var before = CpuTensorCache.Stats;

        // When a 262,140-byte tensor (4 bytes under 256 KiB) is made and freed
        Tensor.Empty([65_535]).Dispose();

        // Then the cache neither served nor allocated it
        var after = CpuTensorCache.Stats;
        Assert.Equal((before.Hits, before.Misses), (after.Hits, after.Misses));
    }

    [Fact]
    public void NeitherServesNorKeeps_When_TurnedOffAtRunTime()
    {
        // Given the cache turned off
        CpuTensorCache.Enabled = false;
        var before = CpuTensorCache.Stats;

        // When a 4 MB tensor is made, freed and made again
        Tensor.Empty([1_000_000]).Dispose();
        Tensor.Empty([1_000_000]).Dispose();

        // Then libtorch's own allocator served both
        var after = CpuTensorCache.Stats;
        Assert.False(CpuTensorCache.Enabled);
        Assert.Equal((before.Hits, before.Misses, before.CachedBytes), (after.Hits, after.Misses, after.CachedBytes));
    }

    [Fact]
    public void HoldsNoMoreAfterTheFirstSteps_When_TheSameStepRepeats()
    {
        // Given a training-like step: a two-layer MLP's forward, backward and update on 64 x 1024 inputs
        using var w1 = Tensor.Randn([1024, 1024], requiresGrad: true);
        using var w2 = Tensor.Randn([1024, 256], requiresGrad: true);
        using var x = Tensor.Randn([64, 1024]);
        void Step()
        {
            using (DisposeScope.Enter())
                x.MatMul(w1).Gelu().MatMul(w2).Sum().Backward();
            Tensor.ZeroGrads([w1, w2]);  // frees the gradients, as the trainer does between steps
        }
        for (var i = 0; i < 3; i++)
            Step();
        var warm = CpuTensorCache.Stats;

        // When 20 more steps run
        for (var i = 0; i < 20; i++)
            Step();

        // Then every large block came from the cache, and the memory held did not grow
        var after = CpuTensorCache.Stats;
        Assert.Equal(warm.Misses, after.Misses);
        Assert.True(after.Hits - warm.Hits >= 20 * 4, $"{after.Hits - warm.Hits} hits in 20 steps");
        Assert.Equal(warm.HeldBytes, after.HeldBytes);
        Assert.True(after.HeldBytes <= after.PeakInUseBytes * 9 / 8, $"{after.HeldBytes} B held, peak in use {after.PeakInUseBytes} B");
    }

    [Fact]
    public void KeepsNothing_When_Trimmed()
    {
        // Given a freed 4 MB tensor in the cache
        Tensor.Empty([1_000_000]).Dispose();
        Assert.True(CpuTensorCache.Stats.CachedBytes > 0);

        // When the cache is trimmed, Then no block is kept
        CpuTensorCache.Trim();
        Assert.Equal((0L, 0L), (CpuTensorCache.Stats.CachedBytes, CpuTensorCache.Stats.CachedBlocks));
    }
}
