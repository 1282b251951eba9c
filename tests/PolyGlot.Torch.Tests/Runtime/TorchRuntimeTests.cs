using PolyGlot.Torch.Runtime;

namespace PolyGlot.Torch.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void ReportsTheLibtorchVersion_When_Asked()
    {
        Assert.Matches(@"^\d+\.\d+", TorchRuntime.Version);
    }

    [Fact]
    public void ThreadCountChanges_When_Set()
    {
        var original = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = 1;
            Assert.Equal(1, TorchRuntime.Threads);
        }
        finally
        {
            TorchRuntime.Threads = original;
        }
    }

    [Fact]
    public void DeviceCountAgreesWithAvailability_When_Queried()
    {
        Assert.Equal(Cuda.IsAvailable, Cuda.DeviceCount > 0);
    }
}
