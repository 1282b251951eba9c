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
        var work = Directory.CreateTempSubdirectory("pg-parity-").FullName;
        var cases = Layouts().SelectMany(l => precisions.Select(p => new Case(l.Name, l.Config, p, Path.Combine(work, $"{l.Name}-{p}")))).ToList();
        var outcomes = new List<Outcome>();
        try
        {
            foreach (var c in cases)
                c.Create(device);
            // One reference process for every case: starting Python and PyTorch (with CUDA) costs seconds.
            var referenceFailure = RunReference(python, cases);
            foreach (var c in cases)
            {
                var outcome = referenceFailure is null ? CompareOrRecord(c, device) : c.Failed(referenceFailure);
                outcomes.Add(outcome);
                Console.WriteLine(outcome.Error is { } error
                    ? $"parity {c.Layout,-14} {c.Precision} on {device}: FAIL ({error})"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"parity {c.Layout,-14} {c.Precision} on {device}: loss {outcome.LossError:E2}, logits {outcome.LogitsError:E2}, " +
                        $"worst gradient {outcome.WorstGradError:E2} ({outcome.WorstGrad}); limit {outcome.Limit:E0}: {(outcome.Passed ? "PASS" : "FAIL")}"));
            }
        }
        finally
        {
            foreach (var c in cases)
                c.Dispose();
            Directory.Delete(work, recursive: true);
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

    /// <summary>One layout in one precision: its model, and where its reference inputs and outputs go.</summary>
    private sealed class Case(string layout, ModelConfig config, string precision, string directory) : IDisposable
    {
        public string Layout => layout;

        public string Precision => precision;

        public TransformerModel Model { get; private set; } = null!;

        public (long[] Inputs, long[] Targets) Tokens { get; } = RandomTokens(config.VocabSize);

        public string Input => Path.Combine(directory, "input");

        public string Output => Path.Combine(directory, "output");

        /// <summary>Builds the model on <paramref name="device"/> and writes it and the batch for the reference.</summary>
        public void Create(Device device)
        {
            Model = TransformerModel.Create(config, device, seed: 7);
            Model.Precision = precision == "bf16" ? ComputePrecision.BFloat16 : ComputePrecision.Float32;
            var scalars = new JsonObject { ["device"] = device.IsCuda ? device.ToString() : "cpu", ["precision"] = precision };
            ModelExchange.WriteInputs(Input, Model, Tokens.Inputs, Tokens.Targets, Batch, SeqLen, scalars);
        }

        public Outcome Failed(string reason) => new(layout, precision, double.NaN, double.NaN, double.NaN, "", Limits[precision], reason);

        public void Dispose() => Model?.Dispose();
    }

    // The reference's grads command over every case; null when it ran, else the reason it did not.
    private static string? RunReference(string python, List<Case> cases)
    {
        try
        {
            ReferenceScripts.RunPython(python, Script, ["grads", .. cases.SelectMany(c => new[] { c.Input, c.Output })]);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return ReferenceScripts.LastLine(e.Message);
        }
    }

    // A comparison that cannot run (the device runs out of memory) is a failed row; the others are still reported.
    private static Outcome CompareOrRecord(Case c, Device device)
    {
        try
        {
            return Compare(c, device);
        }
        catch (Exception e) when (e is InvalidOperationException or TorchException or IOException)
        {
            return c.Failed(ReferenceScripts.LastLine(e.Message));
        }
    }

    private static Outcome Compare(Case c, Device device)
    {
        var (model, (inputs, targets)) = (c.Model, c.Tokens);
        var reference = ModelExchange.ReadOutputs(c.Output);
        using var scope = DisposeScope.Enter();
        var inputIds = Tensor.FromArray(inputs, Batch, SeqLen).To(device);
        var targetIds = Tensor.FromArray(targets, Batch, SeqLen).To(device);
        float[] logits;
        // The logits alone need no graph; the loss below runs the forward again with one.
        using (new NoGradScope())
            logits = model.Forward(inputIds).To(DType.Float32).To(Device.Cpu).ToArray<float>();
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
            // A NaN must fail: a plain comparison would drop it.
            if (double.IsNaN(error) || error >= worst)
                (worst, worstName) = (error, parameter.Name);
            if (double.IsNaN(worst))
                break;
        }
        return new Outcome(c.Layout, c.Precision, lossError, RelativeError(logits, reference.Floats("logits")), worst, worstName, Limits[c.Precision]);
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
    private static (long[] Inputs, long[] Targets) RandomTokens(int vocab)
    {
        var random = new Random(11);
        var inputs = Enumerable.Range(0, Batch * SeqLen).Select(_ => (long)random.Next(vocab)).ToArray();
        var targets = Enumerable.Range(0, Batch * SeqLen).Select(_ => (long)random.Next(vocab)).ToArray();
        targets[3] = targets[17] = targets[100] = TransformerModel.IgnoreIndex;
        return (inputs, targets);
    }
}
