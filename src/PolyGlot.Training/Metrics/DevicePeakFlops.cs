using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Configuration;

namespace PolyGlot.Training.Metrics;

/// <summary>Dense peak throughput of one GPU model, in FLOP/s.</summary>
/// <param name="Device">The model, e.g. <c>H100 SXM</c>.</param>
/// <param name="Bf16">Dense bf16 tensor-core peak (what <c>precision.compute: bf16</c> runs on).</param>
/// <param name="Fp32">Plain fp32 peak. libtorch leaves TF32 matmuls off by default and the shim
/// does not switch them on, so <c>precision.compute: fp32</c> runs at this rate, not the TF32 one.</param>
public sealed record DevicePeak(string Device, double Bf16, double Fp32)
{
    /// <summary>The peak that a run at <paramref name="precision"/> (<c>bf16</c> or <c>fp32</c>) measures MFU against.</summary>
    public double For(string precision) => precision == PrecisionConfig.Bf16 ? Bf16 : Fp32;
}

/// <summary>
/// The one table of GPU peak FLOP/s behind MFU (training metrics and <c>polyglot bench train</c>).
/// Figures are NVIDIA's datasheet numbers without structured sparsity (the datasheets print the
/// sparse figure, twice the dense one, e.g. H100 SXM bf16 1,979 -> 989.5 TFLOP/s). A GPU not in the
/// table gets no MFU unless <c>training.peak_tflops</c> names its peak.
/// </summary>
public static class DevicePeakFlops
{
    private const double Tera = 1e12;

    // Ordered: the first entry whose test matches the CUDA device name wins, so the NVL variants
    // (other clocks and power, not in the table) are excluded before the generic names match.
    private static readonly (Func<string, bool> Matches, DevicePeak? Peak)[] Table =
    [
        (name => Has(name, "H100") && Has(name, "NVL"), null),
        (name => Has(name, "H200") && Has(name, "NVL"), null),
        (name => Has(name, "H100") && Has(name, "PCIe"), new DevicePeak("H100 PCIe", 756.5 * Tera, 51.2 * Tera)),
        // The SXM part reports itself as "NVIDIA H100 80GB HBM3".
        (name => Has(name, "H100") && (Has(name, "SXM") || Has(name, "HBM3")), new DevicePeak("H100 SXM", 989.5 * Tera, 67.0 * Tera)),
        (name => Has(name, "GH200"), new DevicePeak("GH200", 989.5 * Tera, 67.0 * Tera)),
        (name => Has(name, "H200"), new DevicePeak("H200", 989.5 * Tera, 67.0 * Tera)),
        // SXM4 and PCIe, 40 and 80 GB share the same peaks.
        (name => Has(name, "A100"), new DevicePeak("A100", 312.0 * Tera, 19.5 * Tera)),
        (name => Has(name, "L40S"), new DevicePeak("L40S", 362.05 * Tera, 91.6 * Tera)),
    ];

    /// <summary>The peaks of the GPU that CUDA names <paramref name="deviceName"/>; null when it is not in the table.</summary>
    public static DevicePeak? Lookup(string deviceName)
    {
        foreach (var (matches, peak) in Table)
            if (matches(deviceName))
                return peak;
        return null;
    }

    /// <summary>
    /// The MFU denominator in FLOP/s for a run at <paramref name="precision"/> on
    /// <paramref name="deviceName"/>: <paramref name="overrideTflops"/> (<c>training.peak_tflops</c>)
    /// when set, else the table's figure; null (no MFU) for an unknown GPU without an override.
    /// </summary>
    public static double? Resolve(string deviceName, string precision, double? overrideTflops) =>
        overrideTflops is { } tflops ? tflops * Tera : Lookup(deviceName)?.For(precision);

    /// <summary>
    /// <see cref="Resolve"/> for the GPU behind <paramref name="device"/> (its name from CUDA);
    /// null on the CPU, where MFU is not reported.
    /// </summary>
    public static double? ForDevice(Device device, string precision, double? overrideTflops) =>
        device.IsCuda ? Resolve(Cuda.DeviceProperties(Math.Max(device.Index, 0)).Name, precision, overrideTflops) : null;

    private static bool Has(string name, string part) => name.Contains(part, StringComparison.OrdinalIgnoreCase);
}
