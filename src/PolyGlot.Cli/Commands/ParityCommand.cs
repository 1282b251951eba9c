using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyGlot.Common.IO;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Model.Reference;
using PolyGlot.Torch;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot parity</c>: both model layouts, forward and every gradient, on a device, against the
/// independent PyTorch implementation (scripts/reference/model_reference.py) on the same device
/// with the same weights and batch: float32 within 1e-4, bf16 against PyTorch autocast within a
/// documented tolerance. The check a GPU machine without the .NET SDK runs (scripts/gpu-check.sh).
/// </summary>
internal static class ParityCommand
{
    private const string Script = "scripts/reference/model_reference.py";
    private const int Batch = 2, SeqLen = 64;

    // Per tensor, ||C# - PyTorch|| / ||PyTorch||, the denominator at least 1e-3 of the whole
    // gradient's norm: the GPT-2 layout's key-bias gradient is zero analytically (adding q.b to all
    // of a query's scores leaves its softmax unchanged), so its values are rounding noise on both
    // sides and are held against the gradient as a whole. float32: the two sides differ only in summation
    // order. bf16: each side rounds to bf16 at its own points (PyTorch autocast decides per op,
    // PolyGlot casts around its matmuls, both keep norms, softmax and the loss in float32), so
    // results agree to a few bf16 ulps (2^-8 = 0.4%) compounded over the layers.
    private static readonly IReadOnlyDictionary<string, double> Limits = new Dictionary<string, double>
    {
        ["fp32"] = 1e-4,
        ["bf16"] = 3e-2,
    };

    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cuda" };
        var python = new Option<string>("--python") { Description = "Python with PyTorch", DefaultValueFactory = _ => "python3" };
        var precisions = new Option<string[]>("--precision")
        {
            Description = "fp32 and/or bf16", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["fp32", "bf16"],
        };
        var json = new Option<string?>("--json") { Description = "Also write the figures as JSON to this file" };
        var command = new Command("parity", "Both model layouts, forward and all gradients, against the PyTorch reference on the same device.");
        foreach (var option in new Option[] { device, python, precisions, json })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("parity", () =>
            Run(Device.Parse(parse.GetValue(device)!), parse.GetValue(python)!, parse.GetValue(precisions)!, parse.GetValue(json))));
        return command;
    }

    private sealed record Outcome(string Layout, string Precision, double LossError, double LogitsError, double WorstGradError, string WorstGrad, double Limit,
        string? Error = null)
    {
        public bool Passed => Error is null && Math.Max(Math.Max(LossError, LogitsError), WorstGradError) <= Limit;
    }

    private static int Run(Device device, string python, string[] precisions, string? jsonPath)
    {
        foreach (var precision in precisions.Where(p => !Limits.ContainsKey(p)))
            throw new ArgumentException($"--precision {precision}: use fp32 and/or bf16");
        var outcomes = new List<Outcome>();
        foreach (var (layout, config) in Layouts())
            foreach (var precision in precisions)
            {
                var outcome = CompareOrRecord(layout, config, device, precision, python);
                outcomes.Add(outcome);
                Console.WriteLine(outcome.Error is { } error
                    ? $"parity {layout,-14} {precision} on {device}: FAIL ({error})"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"parity {layout,-14} {precision} on {device}: loss {outcome.LossError:E2}, logits {outcome.LogitsError:E2}, " +
                        $"worst gradient {outcome.WorstGradError:E2} ({outcome.WorstGrad}); limit {outcome.Limit:E0}: {(outcome.Passed ? "PASS" : "FAIL")}"));
            }
        if (jsonPath is not null)
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(outcomes.Select(o => new
            {
                layout = o.Layout, precision = o.Precision, device = device.ToString(), loss_error = Finite(o.LossError),
                logits_error = Finite(o.LogitsError), worst_grad_error = Finite(o.WorstGradError), worst_grad = o.WorstGrad, limit = o.Limit, passed = o.Passed, error = o.Error,
            }), new JsonSerializerOptions { WriteIndented = true }));
        return outcomes.All(o => o.Passed) ? 0 : 1;
    }

    // JSON has no NaN: a comparison that could not run has no figures.
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    // Small enough to run in seconds on a CPU, large enough that every kernel path (attention over
    // 64 positions, GQA, tied and untied heads) is taken.
    private static IEnumerable<(string Name, ModelConfig Config)> Layouts()
    {
        yield return ("polylm-tied", new ModelConfig
        {
            Layout = "polylm", VocabSize = 512, DModel = 128, NLayers = 2, NHeads = 4, FfnHidden = 512, MaxSeqLen = SeqLen,
            TiedEmbeddings = true, InitStd = 0.05,
        });
        yield return ("llama-gqa", new ModelConfig
        {
            Layout = "llama", VocabSize = 512, DModel = 128, NLayers = 2, NHeads = 4, NKvHeads = 2, FfnHidden = 352, MaxSeqLen = SeqLen,
            TiedEmbeddings = false, NormEps = 1e-5, InitStd = 0.05,
        });
    }

    // One comparison that cannot run (the reference fails, the device runs out of memory) is a
    // failed row; the others still run and are reported.
    private static Outcome CompareOrRecord(string layout, ModelConfig config, Device device, string precision, string python)
    {
        try
        {
            return Compare(layout, config, device, precision, python);
        }
        catch (Exception e) when (e is InvalidOperationException or TorchException or IOException)
        {
            var reason = e.Message.Split('\n').Last(line => line.Trim().Length > 0).Trim();
            return new Outcome(layout, precision, double.NaN, double.NaN, double.NaN, "", Limits[precision], reason);
        }
    }

    private static Outcome Compare(string layout, ModelConfig config, Device device, string precision, string python)
    {
        var work = Directory.CreateTempSubdirectory("pg-parity-").FullName;
        try
        {
            using var model = TransformerModel.Create(config, device, seed: 7);
            model.Precision = precision == "bf16" ? ComputePrecision.BFloat16 : ComputePrecision.Float32;
            var (inputs, targets) = Tokens(config.VocabSize);
            var scalars = new JsonObject { ["device"] = device.IsCuda ? device.ToString() : "cpu", ["precision"] = precision };
            ModelExchange.WriteInputs(Path.Combine(work, "input"), model, inputs, targets, Batch, SeqLen, scalars);
            ReferenceScripts.RunPython(python, Script, ["grads", Path.Combine(work, "input"), Path.Combine(work, "output")]);
            var reference = ModelExchange.ReadOutputs(Path.Combine(work, "output"));

            using var scope = DisposeScope.Enter();
            var inputIds = Tensor.FromArray(inputs, Batch, SeqLen).To(device);
            var targetIds = Tensor.FromArray(targets, Batch, SeqLen).To(device);
            var logits = model.Forward(inputIds).To(DType.Float32).To(Device.Cpu).ToArray<float>();
            var loss = model.Loss(inputIds, targetIds);
            loss.Backward();
            var lossError = Math.Abs(loss.ToDouble() - reference.Loss) / Math.Abs(reference.Loss);
            var expected = model.Parameters.ToDictionary(p => p.Name, p => reference.Floats("grad." + p.Name));
            var floor = 1e-3 * Math.Sqrt(expected.Values.Sum(g => g.Sum(x => (double)x * x)));
            var (worst, worstName) = (0.0, "");
            foreach (var parameter in model.Parameters)
            {
                var grad = parameter.Tensor.Grad ?? throw new InvalidOperationException($"{parameter.Name} received no gradient");
                var error = RelativeError(grad.To(DType.Float32).To(Device.Cpu).ToArray<float>(), expected[parameter.Name], floor);
                if (error >= worst)
                    (worst, worstName) = (error, parameter.Name);
            }
            return new Outcome(layout, precision, lossError, RelativeError(logits, reference.Floats("logits")), worst, worstName, Limits[precision]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double RelativeError(float[] actual, float[] expected, double floor = 0)
    {
        if (actual.Length != expected.Length)
            throw new InvalidOperationException($"{actual.Length} values against the reference's {expected.Length}");
        double difference = 0, norm = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            difference += ((double)actual[i] - expected[i]) * ((double)actual[i] - expected[i]);
            norm += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(difference) / Math.Max(Math.Max(Math.Sqrt(norm), floor), 1e-30);
    }

    // Random tokens, a few targets ignored (the loss averages over the others).
    private static (long[] Inputs, long[] Targets) Tokens(int vocab)
    {
        var random = new Random(11);
        var inputs = Enumerable.Range(0, Batch * SeqLen).Select(_ => (long)random.Next(vocab)).ToArray();
        var targets = Enumerable.Range(0, Batch * SeqLen).Select(_ => (long)random.Next(vocab)).ToArray();
        targets[3] = targets[17] = targets[100] = TransformerModel.IgnoreIndex;
        return (inputs, targets);
    }
}
