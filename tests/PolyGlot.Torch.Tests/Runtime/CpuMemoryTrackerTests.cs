using PolyGlot.Torch.Runtime;

namespace PolyGlot.Torch.Tests.Runtime;

public sealed class CpuMemoryTrackerTests
{
    [Fact]
    public void PeakCountsATensorAndCurrentDropsWhenItIsFreed_When_TrackingATemporary()
    {
        // Given a tracker on this thread
        using var memory = CpuMemoryTracker.Start();

        // When a 1000 x 1000 float32 tensor (4,000,000 B) is created and freed
        var tensor = Tensor.Zeros([1000, 1000]);
        var whileAlive = memory.CurrentBytes;
        tensor.Dispose();

        // Then the peak holds it and the current count returns to where it was
        Assert.InRange(whileAlive, 4_000_000, 4_100_000);
        Assert.InRange(memory.PeakBytes, 4_000_000, 4_100_000);
        Assert.Equal(0, memory.CurrentBytes);
    }

    [Fact]
    public void ThrowsObjectDisposed_When_ReadAfterItStopped()
    {
        // Given a tracker that has been stopped
        var memory = CpuMemoryTracker.Start();
        memory.Dispose();

        // When it is read, Then it says it is disposed
        Assert.Throws<ObjectDisposedException>(() => memory.PeakBytes);
    }
}
