using System.CommandLine;
using PolyGlot.Common.Configuration;
using PolyGlot.Common.IO;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Hosting;
using PolyGlot.Training.Reporting;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot train --config run.yaml</c>: validates the run configuration, builds the tokenizer
/// and shards it names when they are missing, then trains (resuming from the newest complete
/// checkpoint by default) with logs, progress and metrics in the run directory. Started by a
/// launcher (<c>polyglot launch</c>, torchrun, SLURM) it joins the data-parallel group its
/// variables describe; rank 0 then builds missing data, logs to the run directory and reports.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Run configuration (YAML), e.g. configs/demo.yaml", Required = true };
        var resume = new Option<string>("--resume")
        {
            Description = "auto (newest complete checkpoint, if any), none (start over), or the path of a checkpoint or checkpoint directory",
            DefaultValueFactory = _ => "auto",
        };
        var runDir = new Option<string?>("--run-dir") { Description = "Override logging.run_dir (logs, metrics, checkpoints)" };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop (with a checkpoint) after this many steps of the schedule" };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads when training on the CPU (default: every core)" };
        var command = new Command("train", "Train a model from a run configuration; resumes automatically.");
        foreach (var option in new Option[] { config, resume, runDir, maxSteps, threads })
            command.Options.Add(option);
        command.SetAction(parse => Run(new TrainSettings(parse.GetValue(config)!, parse.GetValue(resume)!, parse.GetValue(runDir),
            parse.GetValue(maxSteps), parse.GetValue(threads))));
        return command;
    }

    private static int Run(TrainSettings settings) => CommandErrors.Run("train", () => Train(settings));

    private static int Train(TrainSettings settings)
    {
        var config = RunConfig.Load(settings.ConfigPath);
        if (settings.RunDirectory is { } overridden)
            config.Logging.RunDir = overridden;
        if (settings.MaxSteps is < 1)
            throw new ArgumentException($"--max-steps = {settings.MaxSteps}: must be at least 1.");
        if (settings.Threads is < 1)
            throw new ArgumentException($"--threads = {settings.Threads}: must be at least 1.");
        var launch = LaunchEnvironment.FromProcess();
        if (launch is not null)
            config.Batch(launch.WorldSize, settings.ConfigPath);
        var isMain = launch is null || launch.Rank == 0;
        var runDir = config.Logging.RunDir;
        // One process per run directory; under data parallelism rank 0 holds it for the whole job.
        using var runLock = isMain ? PrepareCommon.Lock(runDir, "polyglot train") : null;
        Directory.CreateDirectory(runDir);
        if (isMain)
            Logging.Log.ConfigureConsoleAndFile(Path.Combine(runDir, "train.log"));
        if (isMain)
            WriteResolvedConfig(config, settings.ConfigPath, runDir);

        var device = DeviceSelection.Resolve(config.Training.Device, launch?.LocalRank ?? 0);
        using var parallel = launch is null ? null : JoinGroup(launch, config, device);
        if (isMain)
            TrainingData.EnsureBuilt(config, line => Serilog.Log.Information("{Line}", line));
        parallel?.Barrier();
        using var session = TrainSession.Prepare(config, settings.Resume, settings.MaxSteps, settings.Threads, device, parallel);
        var outcome = session.Run();
        if (isMain)
            TrainSession.Summarize(config, outcome, session.Observer);
        return 0;
    }

    private static void WriteResolvedConfig(RunConfig config, string configPath, string runDir)
    {
        var resolved = config.ToYaml();
        Serilog.Log.Information("train: run '{Name}' from {Config}, run directory {RunDir}; resolved configuration:\n{Yaml}",
            config.Name, configPath, runDir, resolved.TrimEnd());
        AtomicFile.WriteAllText(Path.Combine(runDir, RunHistoryReader.ConfigFileName), resolved);
    }

    private static DataParallel JoinGroup(LaunchEnvironment launch, RunConfig config, Torch.Device device)
    {
        Serilog.Log.Information("train: joining the data-parallel group as {Launch}", launch.ToString());
        var parallel = DataParallel.Join(launch, config.Training.Distributed, device);
        Serilog.Log.Information("train: data parallel over {World} ranks ({Group})", parallel.WorldSize, parallel.ToString());
        return parallel;
    }
}

/// <summary>The command line of <c>polyglot train</c>.</summary>
internal sealed record TrainSettings(string ConfigPath, string Resume, string? RunDirectory, long? MaxSteps, int? Threads);
