using System.Globalization;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// The figures of <c>bench train</c>: each side's step under each allocator policy with what a step
/// cost the machine, then the C#/PyTorch ratios. The first ratio line is the headline
/// (scripts/gpu-check.sh reads it): memory reused on both sides where both policies ran.
/// </summary>
internal static class BenchTrainReport
{
    // On the CPU the goal is a lead that is not the allocator's: 1.15x PyTorch's speed under the
    // same policy. On a GPU, parity with PyTorch eager.
    private const double CpuGoal = 1 / 1.15, CudaGoal = 1.0;

    public static void Print(long tokensPerStep, double flopsPerToken, double? peakFlops, bool reduced, Device device,
        IReadOnlyDictionary<string, StepSample> csharp, IReadOnlyDictionary<string, StepSample> python)
    {
        var c = CultureInfo.InvariantCulture;
        foreach (var (policy, sample) in csharp)
            Console.WriteLine(Line("C#     ", policy, sample, tokensPerStep));
        var fastest = csharp.Values.Min(s => s.Seconds);
        if (peakFlops is { } peak)
            Console.WriteLine(string.Create(c, $"C#      MFU {tokensPerStep / fastest * flopsPerToken / peak * 100:F1}% (of {peak / 1e12:F1} TFLOP/s {(reduced ? "bf16" : "fp32")} peak)"));
        else if (device.IsCuda)
            Console.WriteLine($"C#      MFU not reported: {Cuda.DeviceProperties(Math.Max(device.Index, 0)).Name} is not in the peak table; set training.peak_tflops");
        foreach (var (policy, sample) in python)
            Console.WriteLine(Line("PyTorch", policy, sample, tokensPerStep));

        var goal = device.IsCuda ? CudaGoal : CpuGoal;
        foreach (var policy in csharp.Keys.Where(python.ContainsKey))
        {
            var ratio = csharp[policy].Seconds / python[policy].Seconds;
            var which = policy == "" ? "" : $"{policy} allocators, ";
            Console.WriteLine(string.Create(c, $"C#/PyTorch step time {ratio:F3} ({which}goal <= {goal:F3}: {(ratio <= goal ? "met" : "MISSED")})"));
        }
        if (csharp.TryGetValue("reuse", out var reuse) && csharp.TryGetValue("default", out var plain))
            Console.WriteLine(string.Create(c, $"C#      reuse/default step time {reuse.Seconds / plain.Seconds:F3} ({plain.Seconds / reuse.Seconds:F2}x faster with memory reused)"));
        if (csharp.ContainsKey("reuse"))
        {
            var stats = CpuTensorCache.Stats;
            Console.WriteLine(string.Create(c,
                $"C#      CPU tensor cache: {stats.Hits:N0} hits, {stats.Misses:N0} misses, {stats.Released:N0} released, {stats.HeldBytes / 1e6:N1} MB held ({stats.PeakInUseBytes / 1e6:N1} MB peak in use)"));
        }
    }

    private static string Line(string side, string policy, StepSample sample, long tokensPerStep)
    {
        var cost = sample.PerStep;
        var faults = cost.MinorFaults is { } count ? count.ToString("N0", CultureInfo.InvariantCulture) : "n/a";
        var label = policy == "" ? "" : $"  {policy,-7}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{side} step {sample.Seconds * 1000,9:F1} ms  {tokensPerStep / sample.Seconds,12:N0} tokens/s{label}  per step: {faults} page faults, kernel {cost.KernelSeconds:F3} s, user {cost.UserSeconds:F3} s");
    }
}
