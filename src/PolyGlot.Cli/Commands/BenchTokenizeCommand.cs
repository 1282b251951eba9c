using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PolyGlot.Common.IO;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.Data.Shards;
using PolyGlot.Tokenization;
using Spectre.Console;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench tokenize</c>: throughput of <c>prepare</c> (text file → Parquet token shards)
/// and of the encoder alone, on one core and on more, against SentencePiece's own
/// <c>spm_encode</c> on the same input in the same run (or, where <c>spm_encode</c> is not
/// installed, against the same library without the piece cache), and each tool on N threads
/// against itself on one. A run on N threads is confined to N cores (Linux), so every thread of
/// <c>prepare</c> counts, not only the encoder's.
/// </summary>
internal static class BenchTokenizeCommand
{
    // CpuSeconds: processor time of the whole process (all its threads) during the run.
    // CacheHitRate: share of the input bytes whose ids came from a piece cache, either level (null: no
    // cache); SharedCacheHitRate: of those, the share that came from the cache the threads share.
    // Cores: how many cores the process was confined to (null: not confined, e.g. more threads than cores).
    // EncoderBusy: in prepare, the share of the time its encoder was encoding (PrepareProgressReport.EncoderBusy).
    private sealed record Measurement(
        string Tool, int Threads, double Seconds, double CpuSeconds, long Bytes, long Tokens, double? CacheHitRate = null, double? SharedCacheHitRate = null)
    {
        public int? Cores { get; init; }

        public double? EncoderBusy { get; init; }

        public double MegabytesPerSecond => Bytes / 1e6 / Seconds;

        public double MegabytesPerCpuSecond => Bytes / 1e6 / CpuSeconds;

        public double TokensPerSecond => Tokens / Seconds;
    }

    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "Tokenizer .model (default: the demo tokenizer; train it with `polyglot tokenizer train --config configs/demo-data.yaml`)",
            DefaultValueFactory = _ => "artifacts/demo/tokenizer/tokenizer.model",
        };
        var input = new Option<string?>("--input") { Description = "UTF-8 text, one document per line (default: the demo corpus, repeated to --megabytes)" };
        var megabytes = new Option<int>("--megabytes") { Description = "Size of the default input", DefaultValueFactory = _ => 32 };
        var repeat = new Option<int>("--repeat") { Description = "Runs of each measurement; the fastest counts (shared machines are noisy)", DefaultValueFactory = _ => 3 };
        var json = new Option<string?>("--json") { Description = "Also write the figures as JSON to this file" };
        var threads = new Option<int[]>("--threads")
        {
            Description = "Thread counts to measure (default: 1 and all cores)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [],
        };
        var noSpm = new Option<bool>("--no-spm-encode")
        {
            Description = "Do not run spm_encode (a machine without it): ratios are then against the encoder without its cache on 1 thread",
        };
        var command = new Command("tokenize", "prepare throughput (MB/s, tokens/s; 1 core and more) against spm_encode on the same input.");
        foreach (var option in new Option[] { tokenizer, input, megabytes, repeat, json, threads, noSpm })
            command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run("bench tokenize", () =>
        {
            var work = Directory.CreateTempSubdirectory("pg-bench-tokenize-").FullName;
            try
            {
                var inputPath = parse.GetValue(input) ?? WriteDemoInput(Path.Combine(work, "input.txt"), parse.GetValue(megabytes));
                var threadCounts = ThreadCounts(parse.GetValue(threads) ?? []);
                var results = Measure(parse.GetValue(tokenizer)!, inputPath, work, Math.Max(1, parse.GetValue(repeat)), threadCounts,
                    withSpmEncode: !parse.GetValue(noSpm));
                Render(results, inputPath);
                if (parse.GetValue(json) is { } jsonPath)
                    AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(results.Select(r => new
                    {
                        tool = r.Tool, threads = r.Threads, cores = r.Cores, seconds = r.Seconds, cpu_seconds = r.CpuSeconds, bytes = r.Bytes, tokens = r.Tokens,
                        mb_per_s = r.MegabytesPerSecond, tokens_per_s = r.TokensPerSecond, mb_per_cpu_s = r.MegabytesPerCpuSecond,
                        reference = results[0].Tool,
                        vs_reference_per_cpu_s = r.MegabytesPerCpuSecond / results[0].MegabytesPerCpuSecond,
                        vs_one_thread_wall = OneThread(results, r).Seconds / r.Seconds,
                        vs_one_thread_per_cpu_s = r.MegabytesPerCpuSecond / OneThread(results, r).MegabytesPerCpuSecond,
                        cache_byte_hit_rate = r.CacheHitRate, shared_cache_byte_hit_rate = r.SharedCacheHitRate, encoder_busy = r.EncoderBusy,
                    }), new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }));
        return command;
    }

    private static List<Measurement> Measure(string modelPath, string inputPath, string work, int repeat, int[] threadCounts, bool withSpmEncode)
    {
        var bytes = new FileInfo(inputPath).Length;
        var lines = File.ReadAllLines(inputPath, Encoding.UTF8).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        // The encoder's input as prepare hands it over, made once for every run (its conversion is not timed).
        var texts = Utf8Batches(lines);
        try
        {
            WarmUp(modelPath, lines, work, threadCounts.Max());
            return MeasureRounds(modelPath, inputPath, work, repeat, threadCounts, withSpmEncode, texts, bytes);
        }
        finally
        {
            texts.ForEach(batch => batch.Dispose());
        }
    }

    // Rounds interleave the tools so that load from other processes hits them alike; each
    // configuration keeps its fastest run. Every run loads the model afresh, so it starts with
    // empty piece caches and pays for its own misses.
    private static List<Measurement> MeasureRounds(string modelPath, string inputPath, string work, int repeat, int[] threadCounts,
        bool withSpmEncode, List<Utf8TextBatch> texts, long bytes)
    {
        var rounds = new List<List<Measurement>>();
        var allowed = CoreAffinity.AllowedCores();
        for (var round = 0; round < repeat; round++)
        {
            var runs = withSpmEncode ? new List<Measurement> { RunSpmEncode(modelPath, inputPath, Path.Combine(work, "spm.ids"), bytes) } : [];
            foreach (var threads in threadCounts)
            {
                // N threads run on N cores: prepare's reader and shard writer share them with the encoder, so a
                // figure on N cores is what an N-core machine would do.
                var pinned = CoreAffinity.PinProcess(allowed, threads);
                runs.AddRange(RunOnThreads(modelPath, inputPath, work, threads, texts, bytes)
                    .Select(run => run with { Cores = pinned ? threads : null }));
                CoreAffinity.PinProcess(allowed);
            }
            rounds.Add(runs);
        }
        var results = Enumerable.Range(0, rounds[0].Count)
            .Select(i => rounds.Select(r => r[i]).MinBy(m => m.Seconds)!).ToList();
        // Same input, same model: the token counts must agree (prepare adds one eos per document).
        var reference = results[0];
        foreach (var result in results.Skip(1))
            if (result.Tokens != reference.Tokens)
                throw new InvalidDataException(
                    $"{result.Tool} on {result.Threads} thread(s) produced {result.Tokens:N0} text tokens but {reference.Tool} {reference.Tokens:N0} on the same input");
        return results;
    }

    // The three tools on one thread count, each with a model loaded afresh (empty caches).
    private static IEnumerable<Measurement> RunOnThreads(string modelPath, string inputPath, string work, int threads,
        List<Utf8TextBatch> texts, long bytes)
    {
        // Without the cache the threads share nothing: what more threads do to the work per
        // CPU-second here is the machine's and the runtime's part, not the cache's.
        using (var uncached = SentencePieceTokenizer.Load(modelPath, pieceCacheBytes: 0))
            yield return RunEncodeOnly(uncached, texts, threads, bytes) with { Tool = "encode, no cache" };
        var output = Path.Combine(work, $"prepare-{threads}");
        if (Directory.Exists(output))
            Directory.Delete(output, recursive: true);
        using (var tokenizer = SentencePieceTokenizer.Load(modelPath))
            yield return RunPrepare(tokenizer, inputPath, output, threads, bytes);
        using (var tokenizer = SentencePieceTokenizer.Load(modelPath))
            yield return RunEncodeOnly(tokenizer, texts, threads, bytes);
    }

    // Batches of 16,384 lines as UTF-8, the unit of one parallel encode in `encode only`.
    private static List<Utf8TextBatch> Utf8Batches(List<string> lines)
    {
        const int batch = 16_384;
        return Enumerable.Range(0, (lines.Count + batch - 1) / batch)
            .Select(b => Utf8TextBatch.From(lines, b * batch, Math.Min(lines.Count, (b + 1) * batch))).ToList();
    }

    // The first timed runs would otherwise pay for much of compiling the code (tiered JIT, whose background compiles
    // share the one core of a confined run): prepare and encode the first 2 MB of the input on one thread and on the
    // most threads measured, untimed.
    private static void WarmUp(string modelPath, List<string> lines, string work, int mostThreads)
    {
        var sample = new List<string>();
        long bytes = 0;
        foreach (var line in lines)
        {
            if (bytes >= 2_000_000)
                break;
            sample.Add(line);
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
        }
        var input = Path.Combine(work, "warm-up.txt");
        File.WriteAllLines(input, sample);
        using var tokenizer = SentencePieceTokenizer.Load(modelPath);
        var texts = Utf8Batches(sample);
        foreach (var threads in new[] { 1, mostThreads }.Distinct())
        {
            RunPrepare(tokenizer, input, Path.Combine(work, "warm-up"), threads, bytes);
            RunEncodeOnly(tokenizer, texts, threads, bytes);
            Directory.Delete(Path.Combine(work, "warm-up"), recursive: true);
        }
        texts.ForEach(batch => batch.Dispose());
        File.Delete(input);
    }

    // 1 comes first: every tool's scaling is read against its own one-thread run.
    private static int[] ThreadCounts(int[] requested)
    {
        if (requested.Any(t => t < 1))
            throw new ArgumentException($"--threads must be positive, got {string.Join(" ", requested)}");
        var cores = Environment.ProcessorCount;
        var counts = requested.Length > 0 ? requested : cores > 1 ? [1, cores] : [1];
        return counts.Prepend(1).Distinct().Order().ToArray();
    }

    private static Measurement OneThread(List<Measurement> results, Measurement r) =>
        results.First(m => m.Tool == r.Tool && m.Threads == 1);

    private static Measurement RunSpmEncode(string modelPath, string inputPath, string outputPath, long bytes)
    {
        // bash's `times` reports the processor time of the finished child, which stays exact when
        // other processes compete for the cores (wall time does not).
        var script = "spm_encode --model \"$1\" --output_format=id --input \"$2\" --output \"$3\" && times";
        var start = new ProcessStartInfo("bash", ["-c", script, "bench", modelPath, inputPath, outputPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)
            ?? throw new IOException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new IOException($"spm_encode failed ({process.ExitCode}): {errors} " +
                                  "(install the Debian package sentencepiece; scripts/setup.sh does)");
        return new Measurement("spm_encode", 1, seconds, ChildCpuSeconds(output.Result), bytes, CountIds(outputPath));
    }

    // `times` prints the shell's user/system time, then its children's: "0m1.234s 0m0.056s".
    private static double ChildCpuSeconds(string timesOutput)
    {
        var children = timesOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return children.Split(' ').Sum(part =>
        {
            var m = part.IndexOf('m');
            return int.Parse(part[..m], CultureInfo.InvariantCulture) * 60
                   + double.Parse(part[(m + 1)..^1], CultureInfo.InvariantCulture);
        });
    }

    private static Measurement RunPrepare(SentencePieceTokenizer tokenizer, string inputPath, string output, int threads, long bytes)
    {
        var config = new ShardPreparationConfig { Tokenizer = tokenizer.ModelPath, Output = output, Threads = threads, ShardTokens = 4_000_000 };
        var source = new CorpusSourceConfig { Name = "bench", Path = inputPath, Lang = "mul" };
        PrepareProgressReport? last = null;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        new ShardPreparer(config, tokenizer) { Progress = report => last = report }.Prepare(source);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var manifest = ShardManifest.Load(Path.Combine(output, source.Name));
        var measurement = new Measurement("prepare", threads, seconds, cpuSeconds, bytes, manifest.Tokens - manifest.Documents) { EncoderBusy = last?.EncoderBusy };
        return WithHitRates(measurement, tokenizer);
    }

    private static Measurement WithHitRates(Measurement measurement, SentencePieceTokenizer tokenizer)
    {
        if (tokenizer.PieceCacheOffReason is not null)
            return measurement;
        var stats = tokenizer.GetPieceCacheStatistics();
        return measurement with { CacheHitRate = stats.ByteHitRate, SharedCacheHitRate = stats.SharedByteHitRate };
    }

    // The encoder alone on text already in memory as UTF-8 (as prepare hands it over): the share of prepare's time spent tokenizing.
    private static Measurement RunEncodeOnly(SentencePieceTokenizer tokenizer, List<Utf8TextBatch> texts, int threads, long bytes)
    {
        long tokens = 0;
        using var ids = new TokenBatch();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var batch in texts)
        {
            tokenizer.EncodeBatch(batch, ids, threads);
            tokens += ids.TotalTokens;
        }
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return WithHitRates(new Measurement("encode only", threads, clock.Elapsed.TotalSeconds, cpuSeconds, bytes, tokens), tokenizer);
    }

    private static long CountIds(string path)
    {
        long ids = 0;
        var inNumber = false;
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
            foreach (var b in buffer.AsSpan(0, read))
            {
                var digit = b is >= (byte)'0' and <= (byte)'9';
                if (digit && !inNumber)
                    ids++;
                inNumber = digit;
            }
        return ids;
    }

    // The demo corpus's monolingual lines, repeated until the file reaches the requested size.
    private static string WriteDemoInput(string path, int megabytes)
    {
        var files = Directory.GetFiles(Path.Combine("data", "demo-corpus", "mono"), "*.txt.gz", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new IOException("data/demo-corpus/mono not found: run from the repository root or pass --input");
        var lines = files.SelectMany(f =>
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(f), CompressionMode.Decompress), Encoding.UTF8);
            return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }).ToList();
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        long written = 0;
        while (written < megabytes * 1_000_000L)
            foreach (var line in lines)
            {
                writer.Write(line);
                writer.Write('\n');
                written += Encoding.UTF8.GetByteCount(line) + 1;
            }
        return path;
    }

    private static void Render(List<Measurement> results, string inputPath)
    {
        var table = new Table().Title($"tokenize {new FileInfo(inputPath).Length / 1e6:F1} MB ({Environment.ProcessorCount} cores)");
        var reference = results[0];
        var peer = reference.Tool == "spm_encode" ? "spm" : "ref";
        foreach (var column in new[] { "tool", "threads", "cores", "s", "MB/s", $"vs {peer}", "CPU s", "MB/CPU s", $"vs {peer} per CPU s", "vs 1 thread", "cache hits", "encoder busy" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var r in results)
        {
            var one = OneThread(results, r);
            table.AddRow(r.Tool, $"{r.Threads}", r.Cores is { } cores ? $"{cores}" : "all", $"{r.Seconds:F2}", $"{r.MegabytesPerSecond:F1}",
                $"{r.MegabytesPerSecond / reference.MegabytesPerSecond:F2}x", $"{r.CpuSeconds:F2}", $"{r.MegabytesPerCpuSecond:F2}",
                $"{r.MegabytesPerCpuSecond / reference.MegabytesPerCpuSecond:F2}x",
                r.Threads == 1 ? "-" : $"{one.Seconds / r.Seconds:F2}x, {r.MegabytesPerCpuSecond / one.MegabytesPerCpuSecond:P0}/CPU s",
                r.CacheHitRate is { } rate ? $"{rate:P1} (shared {r.SharedCacheHitRate:P1})" : "-",
                r.EncoderBusy is { } busy ? $"{busy:P0}" : "-");
        }
        if (reference.Tool != "spm_encode")
            AnsiConsole.MarkupLine($"[grey]ref: {Markup.Escape(reference.Tool)} on 1 thread (spm_encode not run)[/]");
        AnsiConsole.Write(table);
    }
}
