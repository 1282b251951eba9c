using System.CommandLine;
using PolyGlot.Training.Import;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot import HF_FOLDER --out DIR [--tokenizer EXTENDED] [--new-token-init piece-mean|vocabulary-mean]</c>:
/// a Hugging Face <c>LlamaForCausalLM</c> or <c>GPT2LMHeadModel</c> folder becomes a weights-only
/// checkpoint that <c>train --resume DIR</c> continues from and <c>score</c>, <c>eval</c>,
/// <c>generate</c> and <c>export</c> read.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Hugging Face model folder: config.json, model.safetensors (or shards and an index), tokenizer" };
        var output = new Option<string>("--out") { Description = "Output directory; must not exist or be empty (see --force)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the output directory's contents when it is not empty" };
        var tokenizer = new Option<string?>("--tokenizer")
        {
            Description = "An extension of the folder's tokenizer (polyglot tokenizer extend): the embedding and head grow by its new tokens",
        };
        var init = new Option<string>("--new-token-init")
        {
            Description = "Rows of new tokens: piece-mean (mean of the base pieces of the token's text) or vocabulary-mean",
            DefaultValueFactory = _ => "piece-mean",
        };
        var command = new Command("import", "Import a Hugging Face Llama or GPT-2 model as a checkpoint to continue training from.");
        command.Arguments.Add(folder);
        foreach (var option in new Option[] { output, force, tokenizer, init })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("import", () => Run(parse.GetValue(folder)!, parse.GetValue(output)!, new HfImportOptions
        {
            Force = parse.GetValue(force),
            Tokenizer = parse.GetValue(tokenizer),
            NewTokenInit = ParseInit(parse.GetValue(init)!),
        })));
        return command;
    }

    private static int Run(string folder, string output, HfImportOptions options)
    {
        var result = HfImporter.Import(folder, output, options);
        var model = result.Model;
        Serilog.Log.Information("Imported {Architecture} as layout {Layout}: {Layers} layers, d_model {D}, {Heads} heads, vocabulary {Vocab}{Added}",
            result.Architecture, model.Layout, model.NLayers, model.DModel, model.NHeads, model.VocabSize,
            result.AddedTokens > 0 ? $" ({result.AddedTokens} new tokens, rows from {options.NewTokenInit})" : "");
        Console.WriteLine($"Checkpoint: {result.Checkpoint}");
        Console.WriteLine($"Tokenizer:  {result.TokenizerPath}");
        Console.WriteLine($"Continue training with the model: and tokenizer: sections of {Path.Combine(result.Directory, "imported.yaml")} in the run config, "
                          + $"then `polyglot train --config RUN.yaml --resume {result.Directory}`.");
        return 0;
    }

    private static NewTokenInit ParseInit(string value) => value switch
    {
        "piece-mean" => NewTokenInit.PieceMean,
        "vocabulary-mean" => NewTokenInit.VocabularyMean,
        _ => throw new ArgumentException($"--new-token-init {value}: use piece-mean or vocabulary-mean."),
    };
}
