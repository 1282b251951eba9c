using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PolyGlot.Model;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Torch.Serialization;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Export;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench export --config FILE</c>: builds the config's model with random weights,
/// writes its Hugging Face weights (names mapped, GPT-2 matrices transposed, dtype converted) and
/// reads every tensor of the written folder back, printing GB/s of each. The read follows the
/// write, so it is served largely from the page cache when memory allows; the figure is the
/// parse-and-copy speed of loading, not the disk's.
/// </summary>
internal static class BenchExportCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Run configuration whose model shape is exported", DefaultValueFactory = _ => "configs/polylm-1.7b.yaml" };
        var dtype = new Option<string>("--dtype") { Description = "float32, bfloat16 or float16", DefaultValueFactory = _ => "float32" };
        var output = new Option<string>("--out") { Description = "Scratch folder for the weights (replaced, then deleted)", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "polyglot-bench-export") };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's)" };
        var command = new Command("export", "Export and load speed (GB/s) of a config's model with random weights.");
        foreach (var option in new Option[] { config, dtype, output, threads })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("bench export", () => Run(parse.GetValue(config)!,
            ExportCommand.ParseDType(parse.GetValue(dtype)!), parse.GetValue(output)!, parse.GetValue(threads))));
        return command;
    }

    private static int Run(string configPath, DType dtype, string output, int? threads)
    {
        if (threads is { } count)
            TorchRuntime.Threads = count;
        var config = RunConfig.Load(configPath).Model;
        var watch = Stopwatch.StartNew();
        using var model = TransformerModel.Create(config, Device.Cpu, seed: 1);
        Console.WriteLine($"model: {config.Layout}, {model.Size.Total / 1e9:F3} B parameters, built in {watch.Elapsed.TotalSeconds:F1} s");
        if (Directory.Exists(output))
            Directory.Delete(output, recursive: true);
        try
        {
            var options = new HfExportOptions { DType = dtype };
            var (files, bytes, writeSeconds) = HfExporter.WriteWeights(model, output, options);
            Report("export", bytes, writeSeconds, $"{files.Count} file(s), {options.TorchDTypeName}");
            var (readBytes, readSeconds) = ReadAll(output);
            Report("load", readBytes, readSeconds, "every tensor into a new CPU tensor");
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
        return 0;
    }

    private static (long Bytes, double Seconds) ReadAll(string directory)
    {
        var watch = Stopwatch.StartNew();
        long bytes = 0;
        using var collection = SafetensorsCollection.Open(directory);
        foreach (var name in collection.Names.ToList())
        {
            using var scope = DisposeScope.Enter();
            var tensor = collection.FileOf(name).ReadTensor(name);
            bytes += tensor.ByteCount;
        }
        return (bytes, watch.Elapsed.TotalSeconds);
    }

    private static void Report(string what, long bytes, double seconds, string detail) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {bytes / 1e9:F3} GB in {seconds:F2} s = {bytes / 1e9 / seconds:F2} GB/s ({detail})"));
}
