using System.CommandLine;
using System.Diagnostics;
using PolyGlot.Data.Configuration;
using PolyGlot.Data.Curriculum;
using PolyGlot.Data.Loading;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench loader</c>: tokens per second the data loader delivers as packed batches
/// (Parquet shards read, shuffled, mixed by the PolyLM curriculum, packed) with its threads pinned
/// to one core, and the time the training thread spends per batch.
/// </summary>
internal static class BenchLoaderCommand
{
    public static Command Create()
    {
        var tokens = new Option<long>("--tokens") { Description = "Tokens of synthetic shards to create", DefaultValueFactory = _ => 40_000_000 };
        var seqLen = new Option<int>("--seq-len") { Description = "data.seq_len", DefaultValueFactory = _ => 2048 };
        var batch = new Option<int>("--batch") { Description = "data.global_batch_size (one rank)", DefaultValueFactory = _ => 64 };
        var cores = new Option<int>("--cores") { Description = "CPU cores the process may use while measuring", DefaultValueFactory = _ => 1 };
        var boundaries = new Option<bool>("--document-boundaries") { Description = "Also emit position and segment ids" };
        var stepMs = new Option<double>("--step-ms") { Description = "Simulated training step (ms) while the training-thread time is measured", DefaultValueFactory = _ => 20 };
        var prepared = new Option<string?>("--prepared") { Description = "Measure on existing prepared sources (a prepare output root) instead of synthetic shards" };
        var directory = new Option<string?>("--dir") { Description = "Keep the synthetic shards here (reused when present) instead of a temporary directory" };
        var shuffle = new Option<string>("--shuffle") { Description = "data.shuffle: documents or row_groups", DefaultValueFactory = _ => "documents" };
        var worldSizes = new Option<int[]>("--world-sizes")
        {
            Description = "Also measure rank 0 of these data-parallel world sizes (each must divide --batch): CPU per step and tokens decoded versus one rank",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var command = new Command("loader", "Data loader throughput (tokens/s as packed batches) and training-thread time per batch.");
        foreach (var option in new Option[] { tokens, seqLen, batch, cores, boundaries, stepMs, prepared, directory, shuffle, worldSizes })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("bench loader", () => Run(new Settings(
            parse.GetValue(tokens), parse.GetValue(seqLen), parse.GetValue(batch), parse.GetValue(cores),
            parse.GetValue(boundaries), parse.GetValue(stepMs), parse.GetValue(prepared), parse.GetValue(directory), parse.GetValue(shuffle)!,
            parse.GetValue(worldSizes) ?? []))));
        return command;
    }

    private sealed record Settings(long Tokens, int SeqLen, int Batch, int Cores, bool DocumentBoundaries, double StepMs, string? Prepared, string? Directory,
        string Shuffle, int[] WorldSizes);

    private static int Run(Settings settings)
    {
        if (settings.Tokens < 1_000_000 || settings.Cores < 1 || settings.Cores > Environment.ProcessorCount || settings.StepMs <= 0
            || settings.WorldSizes.Any(n => n < 2 || settings.Batch % n != 0))
        {
            Serilog.Log.Error("bench loader: --tokens must be >= 1,000,000, --cores between 1 and {Cores}, --step-ms > 0, " +
                              "--world-sizes at least 2 and dividing --batch ({Batch})", Environment.ProcessorCount, settings.Batch);
            return 1;
        }
        if (settings.Prepared is { } prepared)
        {
            Measure(settings, prepared);
            return 0;
        }
        var root = settings.Directory ?? Directory.CreateTempSubdirectory("polyglot-bench-loader-").FullName;
        try
        {
            if (!File.Exists(Path.Combine(root, BenchLoaderShards.DoneMarker)))
            {
                Serilog.Log.Information("bench loader: writing {Tokens:N0} synthetic tokens to {Root}", settings.Tokens, root);
                BenchLoaderShards.Write(root, settings.Tokens);
            }
            Measure(settings, root);
            return 0;
        }
        finally
        {
            if (settings.Directory is null)
                Directory.Delete(root, recursive: true);
        }
    }

    private static void Measure(Settings settings, string root)
    {
        var config = new DataConfig
        {
            Sources = [new PreparedSourceConfig { Name = "bench", Path = root }],
            SeqLen = settings.SeqLen,
            GlobalBatchSize = settings.Batch,
            DocumentBoundaries = settings.DocumentBoundaries,
            Shuffle = settings.Shuffle,
            Curriculum = new CurriculumConfig { Preset = PolyLmPreset.Name },
        };
        var tokensPerStep = (long)settings.Batch * (settings.SeqLen + 1);
        // One pass over the corpus' worth of tokens, at least 50 steps; the final stage starts at 80%.
        var corpusTokens = DataPipeline.Resolve(config, 1).Sources.Sum(s => s.Tokens);
        var steps = (int)Math.Max(50, corpusTokens / tokensPerStep);
        var plan = DataPipeline.Resolve(config, steps);
        var allowed = CoreAffinity.AllowedCores();
        if (!CoreAffinity.PinProcess(allowed, settings.Cores))
            Serilog.Log.Warning("bench loader: could not pin the process to {Cores} core(s) ({Allowed} allowed); the figures use every core it may use",
                settings.Cores, allowed.Count);

        using var loader = new DataLoader(plan, new ParquetShardReader(), null, prefetchBatches: 4);
        for (var s = 0; s < 3; s++)
            loader.Next().Dispose();
        // The loader's threads stay on their cores; the training thread moves to a core of its own
        // (as in training), so its time per batch is not the wait for a shared core.
        var ownCore = settings.Cores < allowed.Count && CoreAffinity.PinCurrentThread(allowed[settings.Cores]);
        var shares = new RealisedShares(plan, tokensPerStep);
        var throughput = Throughput(loader, steps - 3, tokensPerStep, shares);
        var trainingThread = TrainingThreadTime(loader, Math.Min(200, steps), TimeSpan.FromMilliseconds(settings.StepMs));

        Console.WriteLine($"loader: {throughput.TokensPerSecond / 1e6:F1} M tokens/s ({steps - 3} batches of {settings.Batch} x {settings.SeqLen + 1} tokens, " +
                          $"{throughput.SecondsPerBatch * 1e3:F2} ms each; {throughput.TokensPerCpuSecond / 1e6:F1} M tokens per CPU second; {plan.Sources.Count} sources, {settings.Cores} core{(settings.Cores == 1 ? "" : "s")})");
        Console.WriteLine($"training thread per batch: mean {trainingThread.Mean * 1e3:F4} ms, p99 {trainingThread.P99 * 1e3:F4} ms, " +
                          $"max {trainingThread.Max * 1e3:F4} ms (batches waited for while a step of {trainingThread.StepSeconds * 1e3:F1} ms runs; " +
                          $"training thread {(ownCore ? "on a core of its own" : "sharing the loader's cores")})");
        shares.Print();
        foreach (var epochs in SourceEpochs.Of(plan, loader.State))
            Serilog.Log.Information("bench loader: {Source} {Passes:F2} passes", epochs.Source, epochs.Passes);
        if (settings.WorldSizes.Length > 0)
            CompareRanks(plan, steps, tokensPerStep, settings.WorldSizes);
    }

    // Rank 0 of N walks the same global batch as one rank but decodes only the shard blocks of its
    // own rows; the figure that matters is its CPU time per step next to one rank's, measured the same way.
    private static void CompareRanks(LoaderPlan plan, int steps, long tokensPerStep, int[] worldSizes)
    {
        var one = RankCost(plan, steps, 1);
        Console.WriteLine($"rank 0 of 1: {one.CpuSecondsPerStep * 1e3:F2} ms CPU per step, decoded {one.DecodedTokens / (double)(steps * tokensPerStep):P0} of the tokens walked");
        foreach (var worldSize in worldSizes)
        {
            var rank = RankCost(plan, steps, worldSize);
            Console.WriteLine($"rank 0 of {worldSize}: {rank.CpuSecondsPerStep * 1e3:F2} ms CPU per step ({rank.CpuSecondsPerStep / one.CpuSecondsPerStep:F2}x one rank), " +
                              $"decoded {rank.DecodedTokens / (double)(steps * tokensPerStep):P0} of the tokens walked " +
                              $"(its own rows: {1.0 / worldSize:P0}); {rank.WallSecondsPerStep * 1e3:F2} ms wall per step");
        }
    }

    private static (double CpuSecondsPerStep, double WallSecondsPerStep, long DecodedTokens) RankCost(LoaderPlan plan, int steps, int worldSize)
    {
        var reader = new ParquetShardReader();
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        using (var loader = new DataLoader(plan, reader, null, rank: 0, worldSize, prefetchBatches: 4))
        {
            for (var s = 0; s < steps; s++)
                loader.Next().Dispose();
        }
        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        return ((process.TotalProcessorTime - cpuStart).TotalSeconds / steps, wall / steps, reader.DecodedTokens);
    }

    // Wall time gives tokens/s; the process' CPU time gives tokens per CPU second, which does not
    // drop when other processes compete for the core.
    private static (double TokensPerSecond, double SecondsPerBatch, double TokensPerCpuSecond) Throughput(
        DataLoader loader, int batches, long tokensPerStep, RealisedShares shares)
    {
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        for (var s = 0; s < batches; s++)
        {
            using var batch = loader.Next();
            shares.Add(batch);
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        return (batches * tokensPerStep / seconds, seconds / batches, batches * tokensPerStep / cpuSeconds);
    }

    // The trainer's view: while a step runs (simulated by sleeping), the loader refills its
    // queue; the time Next() then takes on the training thread is what the step pays.
    private static (double Mean, double P99, double Max, double StepSeconds) TrainingThreadTime(
        DataLoader loader, int batches, TimeSpan step)
    {
        var samples = new double[batches];
        for (var s = 0; s < batches; s++)
        {
            Thread.Sleep(step);
            var start = Stopwatch.GetTimestamp();
            var batch = loader.Next();
            samples[s] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            batch.Dispose();
        }
        Array.Sort(samples);
        return (samples.Average(), samples[(int)(0.99 * (batches - 1))], samples[^1], step.TotalSeconds);
    }

    /// <summary>Rows per group and curriculum stage, to print realised next to scheduled shares.</summary>
    private sealed class RealisedShares(LoaderPlan plan, long tokensPerStep)
    {
        private readonly long[,] _rows = new long[plan.Schedule.Stages.Count, plan.Groups.Count];

        public void Add(Batch batch)
        {
            var stage = plan.Schedule.StageAt(batch.StateAfter.TokensConsumed - tokensPerStep);
            foreach (var source in batch.SourceIds)
                _rows[stage, IndexOfGroup(plan.Sources[source].Group)]++;
        }

        public void Print()
        {
            for (var stage = 0; stage < plan.Schedule.Stages.Count; stage++)
            {
                var total = Enumerable.Range(0, plan.Groups.Count).Sum(g => _rows[stage, g]);
                if (total == 0)
                    continue;
                var scheduled = plan.Schedule.Stages[stage].GroupWeights;
                Console.WriteLine($"stage {stage + 1}: " + string.Join(", ", plan.Groups.Select((group, g) =>
                    $"{group} {(double)_rows[stage, g] / total:F3} (scheduled {scheduled[g]:F3})")) + $" over {total:N0} sequences");
            }
        }

        private int IndexOfGroup(string group)
        {
            for (var g = 0; g < plan.Groups.Count; g++)
                if (plan.Groups[g] == group)
                    return g;
            return -1;
        }
    }
}
