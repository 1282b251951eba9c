using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PolyGlot.Model;
using PolyGlot.Model.Configuration;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Hosting;
using PolyGlot.Training.Inference;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench generate --config FILE</c>: greedy generation speed of a config's model (random
/// weights) with the key/value cache (<see cref="TextGenerator"/>: the prompt once, then one
/// position per token, one id read back) against re-running the whole window for every token and
/// reading back its (T, V) log-probabilities, in the same run; checks that both pick the same tokens.
/// </summary>
internal static class BenchGenerateCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Run configuration (YAML) whose model is timed", Required = true };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length", DefaultValueFactory = _ => 32 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens to generate", DefaultValueFactory = _ => 64 };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's)" };
        var command = new Command("generate", "Greedy generation tokens/s with and without the key/value cache.");
        foreach (var option in new Option[] { config, prompt, tokens, threads })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("bench generate", () =>
            Run(parse.GetValue(config)!, parse.GetValue(prompt), parse.GetValue(tokens), parse.GetValue(threads))));
        return command;
    }

    private static int Run(string configPath, int promptTokens, int tokens, int? threads)
    {
        var run = RunConfig.Load(configPath);
        if (promptTokens < 1 || tokens < 1 || promptTokens + tokens > run.Model.MaxSeqLen || threads is < 1)
            throw new ArgumentException(
                $"--prompt-tokens and --tokens must be >= 1 and together at most model.max_seq_len = {run.Model.MaxSeqLen}; --threads >= 1.");
        if (threads is { } count)
            TorchRuntime.Threads = count;
        var device = DeviceSelection.Resolve(run.Training.Device);
        using var model = TransformerModel.Create(run.Model, device, seed: 1234);
        model.Training = false;
        var random = new Random(7);
        var prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(3, run.Model.VocabSize)).ToList();
        Serilog.Log.Information("bench generate: {Name} ({Layout}, {Parameters:N0} parameters, vocabulary {Vocab:N0}), {Prompt} prompt tokens, " +
            "{Tokens} new tokens, {Device}, {Threads} thread(s)", run.Name, run.Model.Layout, ModelSize.Of(run.Model).Total, run.Model.VocabSize,
            promptTokens, tokens, device.ToString(), TorchRuntime.Threads);
        var options = new SamplingOptions(MaxNewTokens: tokens);
        TextGenerator.Generate(model, prompt, options with { MaxNewTokens = 2 });   // warm-up
        var (cached, cachedSeconds, cachedCpu) = Time(() => TextGenerator.Generate(model, prompt, options));
        var (uncached, uncachedSeconds, uncachedCpu) = Time(() => Uncached(model, prompt, tokens));
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"with cache     {tokens / cachedSeconds,10:F1} tokens/s  wall {cachedSeconds,7:F2} s  CPU {cachedCpu,7:F2} s"));
        Console.WriteLine(string.Create(c, $"without cache  {tokens / uncachedSeconds,10:F1} tokens/s  wall {uncachedSeconds,7:F2} s  CPU {uncachedCpu,7:F2} s"));
        Console.WriteLine(string.Create(c, $"speed-up {uncachedSeconds / cachedSeconds:F2}x; same tokens: {(cached.SequenceEqual(uncached) ? "yes" : "NO")}"));
        return cached.SequenceEqual(uncached) ? 0 : 1;
    }

    // What generation did before the cache: the whole window for every token, (T, V) read back.
    private static IReadOnlyList<int> Uncached(TransformerModel model, IReadOnlyList<int> prompt, int tokens)
    {
        var context = prompt.ToList();
        var generated = new List<int>();
        for (var i = 0; i < tokens; i++)
        {
            var last = TokenScorer.NextTokenLogProbs(model, context)[^1];
            generated.Add(Array.IndexOf(last, last.Max()));
            context.Add(generated[^1]);
        }
        return generated;
    }

    private static (IReadOnlyList<int> Tokens, double Seconds, double CpuSeconds) Time(Func<IReadOnlyList<int>> generate)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var tokens = generate();
        return (tokens, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }
}
