using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PolyGlot.Cli.Launch;
using PolyGlot.Model.Configuration;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Hosting;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench checkpoint --config FILE --nproc-per-node 4 --zero 3</c>: the time of a
/// checkpoint save and of a resume's read, and how much each process's memory grows during a
/// save, for the config's model as one process (the reference, measured in the same run) and as N
/// local ranks through <c>polyglot launch</c> at each ZeRO stage asked for. Every process runs the
/// trainer's own save and resume (<see cref="BenchCheckpointRank"/>); the table gives ratios
/// against the one process and CPU seconds beside the times.
/// </summary>
internal static class BenchCheckpointCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Run configuration (YAML) whose model and optimizer are saved and loaded", Required = true };
        var perNode = new Option<string>("--nproc-per-node") { Description = "Local ranks to measure, one number or several (1,2,4)", DefaultValueFactory = _ => "4" };
        var zero = new Option<string>("--zero") { Description = "ZeRO stages to measure at each rank count, one or several (0,1,3)", DefaultValueFactory = _ => "3" };
        var repeats = new Option<int>("--repeats") { Description = "Timed saves and loads per process (the median counts), after one untimed save", DefaultValueFactory = _ => 5 };
        var threads = new Option<int?>("--threads")
        {
            Description = "libtorch threads of every process (default: the cores divided by the largest rank count, the same for all, as bench train's scaling)",
        };
        var directory = new Option<string?>("--dir") { Description = "Where the checkpoints are written (default: a new temporary directory); removed afterwards" };
        var json = new Option<string?>("--json") { Description = "Also write every figure, per process, to this JSON file" };
        var worker = new Option<string?>("--worker-dir") { Hidden = true, Description = "Measure this process and write rank-R.json here (set by the benchmark itself)" };
        var command = new Command("checkpoint", "Checkpoint save and load time and memory per rank, sharded (ZeRO 1-3) against one process.");
        foreach (var option in new Option[] { config, perNode, zero, repeats, threads, directory, json, worker })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("bench checkpoint", () =>
        {
            var settings = new Settings(parse.GetValue(config)!, Counts("--nproc-per-node", parse.GetValue(perNode)!, 1, 1024, "1,2,4"),
                Counts("--zero", parse.GetValue(zero)!, 0, 3, "0,1,3"), parse.GetValue(repeats), parse.GetValue(threads), parse.GetValue(directory),
                parse.GetValue(json));
            return parse.GetValue(worker) is { } dir ? Worker(settings, dir) : Run(settings);
        }));
        return command;
    }

    private sealed record Settings(string Config, int[] Ranks, int[] Stages, int Repeats, int? Threads, string? Directory, string? Json);

    private static int Run(Settings settings)
    {
        if (settings.Repeats < 1 || settings.Threads is < 1)
            throw new ArgumentException("--repeats and --threads must be at least 1.");
        var config = RunConfig.Load(settings.Config);
        foreach (var ranks in settings.Ranks)
            BenchCheckpointRank.Config(settings.Config, ranks, 0, settings.Repeats + 1, Path.GetTempPath());
        TrainingData.EnsureBuilt(config, line => Serilog.Log.Information("{Line}", line));
        var root = settings.Directory is { } given
            ? Directory.CreateDirectory(Path.Combine(given, $"polyglot-bench-checkpoint-{Guid.NewGuid():N}")).FullName
            : Directory.CreateTempSubdirectory("polyglot-bench-checkpoint-").FullName;
        try
        {
            Serilog.Log.Information("bench checkpoint: {Name} ({Parameters:N0} parameters, AdamW), {Repeats} timed saves and loads per set-up, checkpoints under {Root}",
                config.Name, ModelSize.Of(config.Model).Total, settings.Repeats, root);
            var reference = Measure(settings, root, ranks: null, zero: 0);
            var cases = settings.Ranks.SelectMany(r => settings.Stages.Select(z => Measure(settings, root, r, z))).ToList();
            BenchCheckpointReport.Print(reference, cases);
            if (settings.Json is { } path)
                BenchCheckpointReport.WriteJson(path, reference, cases);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // One set-up: the worker alone (ranks null: no group, the save of a 1-process run) or N ranks
    // through polyglot launch; each process leaves its rank-R.json, the checkpoints are removed.
    private static CheckpointCase Measure(Settings settings, string root, int? ranks, int zero)
    {
        var label = ranks is { } n ? $"{n}-ranks-zero-{zero}" : "one-process";
        var directory = Directory.CreateDirectory(Path.Combine(root, label)).FullName;
        // One thread count for all set-ups, so that the ratios compare sharding, not thread pools.
        var threads = settings.Threads ?? Math.Max(1, Environment.ProcessorCount / settings.Ranks.Max());
        Serilog.Log.Information("bench checkpoint: {Label}, {Threads} libtorch thread(s) per process", label, threads);
        var (executable, prefix) = LocalRanks.SelfInvocation();
        string[] worker = ["bench", "checkpoint", "--config", settings.Config, "--worker-dir", directory, "--zero", Text(zero),
            "--repeats", Text(settings.Repeats), "--threads", Text(threads)];
        string[] arguments = ranks is { } count ? [.. prefix, "launch", "--nproc-per-node", Text(count), "--", .. worker] : [.. prefix, .. worker];
        LocalRanks.RunAndCollect(executable, arguments, [new RankEnvironment(0, new Dictionary<string, string>())], TimeSpan.FromHours(2));
        var perRank = Enumerable.Range(0, ranks ?? 1)
            .Select(r => JsonSerializer.Deserialize<RankFigures>(File.ReadAllText(Path.Combine(directory, $"rank-{r}.json")), BenchCheckpointReport.Json)!)
            .ToList();
        Directory.Delete(directory, recursive: true);
        return new CheckpointCase(ranks ?? 1, ranks is null ? null : zero, perRank);
    }

    private static int Worker(Settings settings, string directory)
    {
        if (settings.Stages.Length != 1 || settings.Threads is not { } threads)
            throw new ArgumentException("--worker-dir is set by bench checkpoint itself, with one --zero stage and --threads.");
        return BenchCheckpointRank.Run(settings.Config, settings.Stages[0], settings.Repeats, directory, threads);
    }

    /// <summary>"4" or "1,2,4": distinct whole numbers within [<paramref name="min"/>, <paramref name="max"/>], in the order given.</summary>
    /// <exception cref="ArgumentException">A value is not such a number; the message names the option and gives <paramref name="example"/>.</exception>
    internal static int[] Counts(string option, string text, int min, int max, string example)
    {
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v
                : throw new ArgumentException($"{option} = '{text}': '{s}' is not a whole number from {min} to {max}; give one or several, e.g. {option} {example}."))
            .Distinct().ToArray();
        return values.Length > 0 ? values : throw new ArgumentException($"{option}: give at least one value, e.g. {option} {example}.");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
