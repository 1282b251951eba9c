using PolyGlot.Training.Configuration;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Tests.Metrics;

public sealed class DevicePeakFlopsTests
{
    [Theory]
    [InlineData("NVIDIA H100 80GB HBM3", "H100 SXM", 989.5e12, 67.0e12)]
    [InlineData("NVIDIA H100 PCIe", "H100 PCIe", 756.5e12, 51.2e12)]
    [InlineData("NVIDIA H200", "H200", 989.5e12, 67.0e12)]
    [InlineData("NVIDIA GH200 480GB", "GH200", 989.5e12, 67.0e12)]
    [InlineData("NVIDIA A100-SXM4-80GB", "A100", 312e12, 19.5e12)]
    [InlineData("NVIDIA A100-PCIE-40GB", "A100", 312e12, 19.5e12)]
    [InlineData("NVIDIA L40S", "L40S", 362.05e12, 91.6e12)]
    public void FindsDatasheetPeaks_When_DeviceIsInTable(string cudaName, string device, double bf16, double fp32)
    {
        var peak = DevicePeakFlops.Lookup(cudaName);

        Assert.NotNull(peak);
        Assert.Equal(device, peak.Device);
        Assert.Equal(bf16, peak.Bf16, 1e-3 * bf16);
        Assert.Equal(fp32, peak.Fp32, 1e-3 * fp32);
    }

    [Theory]
    [InlineData("NVIDIA H100 NVL")]
    [InlineData("NVIDIA H200 NVL")]
    [InlineData("NVIDIA GeForce RTX 4090")]
    [InlineData("Tesla V100-SXM2-16GB")]
    public void ReportsNoPeak_When_DeviceIsNotInTable(string cudaName) =>
        Assert.Null(DevicePeakFlops.Lookup(cudaName));

    [Fact]
    public void PicksPeakOfRunPrecision_When_Resolving()
    {
        Assert.Equal(989.5e12, DevicePeakFlops.Resolve("NVIDIA H200", PrecisionConfig.Bf16, overrideTflops: null));
        Assert.Equal(67.0e12, DevicePeakFlops.Resolve("NVIDIA H200", PrecisionConfig.Fp32, overrideTflops: null));
    }

    [Fact]
    public void UsesOverride_When_PeakTflopsIsSet()
    {
        Assert.Equal(165e12, DevicePeakFlops.Resolve("NVIDIA GeForce RTX 4090", PrecisionConfig.Bf16, overrideTflops: 165));
        Assert.Equal(500e12, DevicePeakFlops.Resolve("NVIDIA H100 80GB HBM3", PrecisionConfig.Bf16, overrideTflops: 500));
    }

    [Fact]
    public void ReportsNoMfu_When_DeviceUnknownAndNoOverride() =>
        Assert.Null(DevicePeakFlops.Resolve("NVIDIA GeForce RTX 4090", PrecisionConfig.Bf16, overrideTflops: null));
}
