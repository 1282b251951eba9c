using System.CommandLine;
using PolyGlot.Training.Inference;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot generate --checkpoint DIR --prompt ...</c>: continues a prompt greedily
/// (temperature 0, the default) or by temperature / top-p sampling with a seed.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var checkpoint = ExportCommandSupport.CheckpointOption();
        var prompt = new Option<string>("--prompt") { Description = "Text to continue", Required = true };
        var maxTokens = new Option<int>("--max-new-tokens") { Description = "Tokens to generate at most", DefaultValueFactory = _ => 64 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy; otherwise sample at this temperature", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling threshold (1 = whole distribution)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Sampler seed", DefaultValueFactory = _ => 0 };
        var tokenizer = ExportCommandSupport.TokenizerOption();
        var command = new Command("generate", "Continue a prompt with a checkpoint (greedy or temperature/top-p sampling).");
        foreach (var option in new Option[] { checkpoint, prompt, maxTokens, temperature, topP, seed, tokenizer })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("generate", () => Run(parse.GetValue(checkpoint)!, parse.GetValue(prompt)!,
            new SamplingOptions(parse.GetValue(maxTokens), parse.GetValue(temperature), parse.GetValue(topP), parse.GetValue(seed)),
            parse.GetValue(tokenizer))));
        return command;
    }

    private static int Run(string checkpoint, string prompt, SamplingOptions options, string? tokenizerPath)
    {
        if (string.IsNullOrEmpty(prompt))
            throw new ArgumentException("--prompt is empty; pass the text to continue.");
        options.Validate();
        using var loaded = ExportCommandSupport.LoadModel(checkpoint);
        using var tokenizer = ExportCommandSupport.LoadTokenizer(loaded, tokenizerPath);
        var context = new List<int> { tokenizer.Special.EosId };
        context.AddRange(tokenizer.Encode(prompt));
        var generated = TextGenerator.Generate(loaded.Model, context, options, tokenizer.Special.EosId);
        var text = tokenizer.Decode(generated.Where(id => id != tokenizer.Special.EosId).ToArray());
        Console.WriteLine(prompt + text);
        return 0;
    }
}
