using System.Diagnostics;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Torch;

namespace PolyGlot.Training.Diagnostics;

/// <summary>One device and compute precision of the self-test, and how far it landed from float64.</summary>
/// <param name="Device">Where the float32 (or bf16) computation ran.</param>
/// <param name="Precision"><c>fp32</c> or <c>bf16</c>.</param>
/// <param name="Layout">Model layout (<c>polylm</c> or <c>llama</c>).</param>
/// <param name="MaxRelativeError">Largest error over logits, loss and every gradient, each measured as
/// max |x - ref| / max |ref| (see <see cref="DeviceSelfTest"/> for gradients that are zero in exact arithmetic).</param>
/// <param name="WorstOutput">The output with that error, e.g. <c>grad layers.0.attn.wq.weight</c>.</param>
/// <param name="Tolerance">The pass limit for this precision.</param>
/// <param name="Elapsed">Wall time of this case.</param>
public sealed record SelfTestCase(Device Device, string Precision, string Layout, double MaxRelativeError, string WorstOutput,
    double Tolerance, TimeSpan Elapsed)
{
    /// <summary>True when the error is within <see cref="Tolerance"/> (a NaN fails).</summary>
    public bool Passed => MaxRelativeError <= Tolerance;
}

/// <summary>
/// Runs a one-block decoder (embedding, one transformer block, final norm, tied head) forward and
/// backward on a device and compares logits, loss and every parameter gradient with the same
/// computation in float64 on the CPU, from identical weights and tokens. It checks that libtorch's
/// kernels on that device (matmul, attention, norms, GELU/SiLU, cross-entropy and their backward
/// passes) compute what they should, not only that they run. Some gradients are zero in exact
/// arithmetic (a key projection's bias: softmax ignores a shift shared by all keys); a gradient
/// whose reference is below a millionth of the largest one is such a zero, and its rounding noise is
/// measured against the largest gradient instead of itself.
/// </summary>
public static class DeviceSelfTest
{
    /// <summary>
    /// float32 limit: float32 rounding (2^-24 = 6e-8) accumulated over a few hundred-term dot
    /// products stays near 1e-6; 1e-4 leaves room for reordered reductions and still catches a
    /// wrong kernel, which is off by far more.
    /// </summary>
    public const double Fp32Tolerance = 1e-4;

    /// <summary>
    /// bf16 limit: bf16 keeps 8 significant bits (2^-8 = 4e-3 relative per rounding); matmul inputs,
    /// attention and MLP activations are rounded, so errors of 1e-2 are normal; 1e-1 catches garbage.
    /// </summary>
    public const double Bf16Tolerance = 1e-1;

    private const int Batch = 2, SeqLen = 32;
    private const ulong Seed = 20240611;

    /// <summary>
    /// Runs both layouts on each of <paramref name="targets"/> (device, <c>fp32</c>/<c>bf16</c>);
    /// the float64 reference is computed once per layout.
    /// </summary>
    public static IReadOnlyList<SelfTestCase> Run(IEnumerable<(Device Device, string Precision)> targets)
    {
        var list = targets.ToList();
        var cases = new List<SelfTestCase>();
        foreach (var layout in new[] { ModelConfig.PolyLmLayout, ModelConfig.LlamaLayout })
        {
            var config = Config(layout);
            var (inputs, labels) = Tokens(config.VocabSize);
            var reference = Outputs(config, Device.Cpu, DType.Float64, ComputePrecision.Float32, inputs, labels);
            foreach (var (device, precision) in list)
            {
                var start = Stopwatch.GetTimestamp();
                var dtype = ComputePrecision.Parse(precision);
                var outputs = Outputs(config, device, DType.Float32, dtype, inputs, labels);
                var (error, worst) = Compare(reference, outputs);
                var tolerance = dtype.IsReduced ? Bf16Tolerance : Fp32Tolerance;
                cases.Add(new SelfTestCase(device, precision, layout, error, worst, tolerance, Stopwatch.GetElapsedTime(start)));
            }
        }
        return cases;
    }

    // Small enough to run in well under a second per case on a CPU core, wide enough that every
    // kernel runs with several heads (grouped-query attention on the Llama side) and real reductions.
    private static ModelConfig Config(string layout) => new()
    {
        Layout = layout, VocabSize = 256, DModel = 64, NLayers = 1, NHeads = 4,
        NKvHeads = layout == ModelConfig.LlamaLayout ? 2 : null, MaxSeqLen = SeqLen,
        TiedEmbeddings = true, InitStd = 0.2, Dropout = 0,
    };

    private static (long[] Inputs, long[] Labels) Tokens(int vocab)
    {
        var random = new Random(7);
        long[] Draw() => Enumerable.Range(0, (int)(Batch * SeqLen)).Select(_ => (long)random.Next(vocab)).ToArray();
        return (Draw(), Draw());
    }

    // Logits, loss and each parameter's gradient, as float64 arrays on the host.
    private static Dictionary<string, double[]> Outputs(ModelConfig config, Device device, DType dtype, ComputePrecision precision,
        long[] inputIds, long[] labelIds)
    {
        using var model = TransformerModel.Create(config, device, Seed, dtype);
        model.Precision = precision;
        using var scope = DisposeScope.Enter();
        var inputs = Tensor.FromSpan<long>(inputIds, [Batch, SeqLen], device);
        var labels = Tensor.FromSpan<long>(labelIds, [Batch, SeqLen], device);
        var outputs = new Dictionary<string, double[]>(StringComparer.Ordinal);
        using (new NoGradScope())
            outputs["logits"] = Host(model.Forward(inputs));
        var loss = model.Loss(inputs, labels);
        loss.Backward();
        outputs["loss"] = Host(loss);
        foreach (var parameter in model.Parameters)
            outputs[$"grad {parameter.Name}"] = Host(parameter.Tensor.Grad
                ?? throw new InvalidOperationException($"self-test: {parameter.Name} received no gradient"));
        return outputs;
    }

    private static double[] Host(Tensor tensor) => tensor.To(DType.Float64, Device.Cpu).ToArray<double>();

    private static (double Error, string Worst) Compare(Dictionary<string, double[]> reference, Dictionary<string, double[]> actual)
    {
        static double MaxAbs(double[] values) => values.Length == 0 ? 0 : values.Max(Math.Abs);
        var largestGradient = reference.Where(r => r.Key.StartsWith("grad ", StringComparison.Ordinal)).Max(r => MaxAbs(r.Value));
        var (worstError, worst) = (0.0, "");
        foreach (var (name, expected) in reference)
        {
            var values = actual[name];
            var maxDiff = 0.0;
            // A NaN must fail: Math.Max propagates it, a plain comparison would drop it.
            for (var i = 0; i < expected.Length; i++)
                maxDiff = Math.Max(maxDiff, Math.Abs(values[i] - expected[i]));
            var scale = MaxAbs(expected);
            if (name.StartsWith("grad ", StringComparison.Ordinal) && scale < 1e-6 * largestGradient)
                scale = largestGradient;
            var error = maxDiff / Math.Max(scale, double.Epsilon);
            if (double.IsNaN(error) || error > worstError || worst.Length == 0)
                (worstError, worst) = (error, name);
            if (double.IsNaN(error))
                break;
        }
        return (worstError, worst);
    }
}
