using System.CommandLine;
using System.Globalization;
using PolyGlot.Torch;
using PolyGlot.Training.Export;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot export --checkpoint DIR --out DIR</c>: writes a Hugging Face folder
/// (<c>GPT2LMHeadModel</c> for polylm, <c>LlamaForCausalLM</c> for llama) that
/// <c>AutoModelForCausalLM.from_pretrained</c> and <c>AutoTokenizer</c> load.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = ExportCommandSupport.CheckpointOption();
        var output = new Option<string>("--out") { Description = "Output folder; must not exist or be empty (see --force)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the output folder's contents when it is not empty" };
        var dtype = new Option<string>("--dtype") { Description = "float32 (as trained), bfloat16 or float16", DefaultValueFactory = _ => "float32" };
        var shardGb = new Option<double>("--max-shard-gb") { Description = "Shard the weights above this size (GB, 10^9 bytes)", DefaultValueFactory = _ => 5.0 };
        var tokenizer = ExportCommandSupport.TokenizerOption();
        var command = new Command("export", "Export a checkpoint as a Hugging Face model folder (config.json, model.safetensors, tokenizer).");
        foreach (var option in new Option[] { checkpoint, output, force, dtype, shardGb, tokenizer })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("export", () => Run(parse.GetValue(checkpoint)!, parse.GetValue(output)!,
            parse.GetValue(tokenizer), new HfExportOptions
            {
                Force = parse.GetValue(force),
                DType = ParseDType(parse.GetValue(dtype)!),
                MaxShardBytes = ShardBytes(parse.GetValue(shardGb)),
            })));
        return command;
    }

    private static int Run(string checkpoint, string output, string? tokenizerPath, HfExportOptions options)
    {
        HfExporter.RequireWritable(output, options.Force);
        using var loaded = ExportCommandSupport.LoadModel(checkpoint);
        var result = HfExporter.Export(loaded.Model, tokenizerPath ?? loaded.TokenizerPath, output, options);
        Serilog.Log.Information("Exported {Architecture} ({GB} GB of {DType} weights in {Seconds} s) to {Directory}: {Files}",
            result.Architecture, (result.WeightBytes / 1e9).ToString("F3", CultureInfo.InvariantCulture), options.TorchDTypeName,
            result.WeightSeconds.ToString("F1", CultureInfo.InvariantCulture), result.Directory, string.Join(", ", result.Files));
        Console.WriteLine($"Hugging Face folder: {result.Directory}");
        return 0;
    }

    public static DType ParseDType(string name) => name switch
    {
        "float32" or "fp32" => DType.Float32,
        "bfloat16" or "bf16" => DType.BFloat16,
        "float16" or "fp16" => DType.Float16,
        _ => throw new ArgumentException($"--dtype {name}: use float32, bfloat16 or float16."),
    };

    private static long ShardBytes(double gb) => gb > 0
        ? (long)(gb * 1e9)
        : throw new ArgumentException($"--max-shard-gb {gb.ToString(CultureInfo.InvariantCulture)}: must be greater than 0.");
}
