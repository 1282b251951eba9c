using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Diagnostics;

namespace PolyGlot.Training.Tests.Diagnostics;

public sealed class DeviceSelfTestTests
{
    [Fact]
    public void PassesBothLayouts_When_CpuFloat32IsComparedWithFloat64()
    {
        // When the self-test runs on the CPU in float32
        var cases = DeviceSelfTest.Run([(Device.Cpu, PrecisionConfig.Fp32)]);

        // Then each layout lands within float32 rounding of the float64 reference
        Assert.Equal([ModelConfig.PolyLmLayout, ModelConfig.LlamaLayout], cases.Select(c => c.Layout));
        foreach (var c in cases)
        {
            Assert.True(c.Passed, $"{c.Layout}: {c.MaxRelativeError} ({c.WorstOutput})");
            // Not exact either: float32 really differs from float64, so the comparison measured something.
            Assert.InRange(c.MaxRelativeError, 1e-9, 1e-5);
        }
    }
}
