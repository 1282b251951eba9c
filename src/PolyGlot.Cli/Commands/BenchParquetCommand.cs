using System.CommandLine;
using System.Diagnostics;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;
using static PolyGlot.Cli.Commands.BenchParquetPeers;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench parquet</c>: generates a realistic token stream (<c>input_ids: list&lt;int32&gt;</c> with
/// a <c>lang</c> column) in memory, times our writer and DuckDB's writing it, then writes it in three
/// page layouts and times reading every token back on one thread with PolyGlot.Parquet and with DuckDB
/// (tests/PolyGlot.Parquet.Tests/interop). Prints tokens/s, CPU seconds, allocation per read and ratios.
/// </summary>
internal static class BenchParquetCommand
{
    private static readonly string[] Langs = ["en", "zh", "es", "fr", "pt", "ru", "de", "it", "ar", "ja", "ko", "th", "vi", "id", "nl", "pl", "tr", "he"];

    private sealed record Layout(string Name, string File, long RowGroupBytes, int PageBytes);

    private sealed record Batch(int[] Values, int[] Offsets, string[] Langs);

    private readonly record struct ReadResult(long Tokens, long Sum, Timing Time, long AllocatedBytes, int RowGroups, long FileBytes);

    // The writer's default shard layout first: the others are compared with it.
    private static readonly Layout[] Layouts =
    [
        new("1 MiB pages", "pages-1m.parquet", 64L << 20, 1 << 20),
        new("64 KiB pages", "pages-64k.parquet", 64L << 20, 64 << 10),
        new("1 page/chunk", "single-page.parquet", 16L << 20, int.MaxValue),
    ];

    public static Command Create()
    {
        var megabytes = new Option<int>("--mb") { Description = "Size of the token data (int32) in MB", DefaultValueFactory = _ => 64 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per writer and reader; the median is reported", DefaultValueFactory = _ => 5 };
        var codec = new Option<string>("--codec") { Description = "Codec of the shard: zstd, snappy, gzip, lz4_raw, uncompressed", DefaultValueFactory = _ => "zstd" };
        var level = new Option<int>("--level") { Description = "ZSTD level for both writers (ours and DuckDB's)", DefaultValueFactory = _ => 3 };
        var directory = new Option<string?>("--dir") { Description = "Where to write the shards (default: a temporary folder, removed afterwards)" };
        var command = new Command("parquet", "Token shard write and read speed in three page layouts: PolyGlot.Parquet vs DuckDB, one thread each.");
        command.Options.Add(megabytes);
        command.Options.Add(rounds);
        command.Options.Add(codec);
        command.Options.Add(level);
        command.Options.Add(directory);
        command.SetAction(parse => Run(parse.GetValue(megabytes), parse.GetValue(rounds), parse.GetValue(codec)!, parse.GetValue(level), parse.GetValue(directory)));
        return command;
    }

    private static int Run(int megabytes, int rounds, string codecName, int level, string? directory)
    {
        if (megabytes < 1 || rounds < 1 || level is < 1 or > 22 || !TryParseCodec(codecName, out var codec))
        {
            Serilog.Log.Error("bench parquet: --mb and --rounds must be >= 1, --level 1..22 and --codec one of zstd, snappy, gzip, lz4_raw, uncompressed (got {Mb}, {Rounds}, {Level}, {Codec})", megabytes, rounds, level, codecName);
            return 1;
        }
        var folder = directory ?? Path.Combine(Path.GetTempPath(), "pg-bench-parquet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var batches = Generate(megabytes * (1L << 20) / 4);
            var tokens = batches.Sum(b => (long)b.Values.Length);
            var codecText = codec == CompressionCodec.Zstd ? $"ZSTD level {level}" : codec.ToString().ToUpperInvariant();
            Console.WriteLine($"data: {tokens:N0} tokens in {batches.Sum(b => b.Langs.Length):N0} documents, {codecText}, median of {rounds} rounds, 1 thread each");
            var baseline = Path.Combine(folder, Layouts[0].File);
            var ourWrite = Median(Enumerable.Range(0, rounds).Select(_ => WriteShard(baseline, batches, codec, level, Layouts[0])).ToArray());
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            WriteShard(baseline, batches, codec, level, Layouts[0]);
            var writeAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var duckWrite = BenchParquetPeers.Write(baseline, Path.Combine(folder, "duckdb-written.parquet"), rounds, codecName.ToLowerInvariant(), level);
            PrintWrite(tokens, ourWrite, writeAllocated, duckWrite);
            var results = new List<(Layout Layout, ReadResult Ours, Timing Duck)>();
            foreach (var layout in Layouts)
            {
                var path = Path.Combine(folder, layout.File);
                if (layout != Layouts[0]) WriteShard(path, batches, codec, level, layout);
                var ours = MeasureOurs(path, rounds);
                var (duckTokens, duckSum, duck) = Read(path, rounds);
                if (ours.Tokens != tokens || duckTokens != tokens || ours.Sum != duckSum)
                {
                    Serilog.Log.Error("bench parquet: readers disagree on {File}: ours {OurTokens} tokens sum {OurSum}, DuckDB {DuckTokens} tokens sum {DuckSum}", path, ours.Tokens, ours.Sum, duckTokens, duckSum);
                    return 1;
                }
                results.Add((layout, ours, duck));
            }
            PrintReads(tokens, results);
            return 0;
        }
        finally
        {
            if (directory is null) Directory.Delete(folder, recursive: true);
        }
    }

    // Documents of 20..4,000 tokens (log-uniform) with Zipf-like ids over a 256K vocabulary, so that
    // compression sees the skew of real token streams. Generated before any timing.
    private static List<Batch> Generate(long targetTokens)
    {
        var random = new Random(12345);
        var batches = new List<Batch>();
        long generated = 0;
        while (generated < targetTokens)
        {
            var batch = NextBatch(random, 256);
            batches.Add(batch);
            generated += batch.Values.Length;
        }
        return batches;
    }

    private static Batch NextBatch(Random random, int documents)
    {
        var offsets = new int[documents + 1];
        var langs = new string[documents];
        var values = new List<int>();
        for (var d = 0; d < documents; d++)
        {
            var length = (int)Math.Exp(Math.Log(20) + random.NextDouble() * (Math.Log(4000) - Math.Log(20)));
            for (var i = 0; i < length; i++) values.Add((int)Math.Min(255_999, Math.Exp(random.NextDouble() * Math.Log(256_000)) - 1));
            offsets[d + 1] = values.Count;
            langs[d] = Langs[random.Next(Langs.Length)];
        }
        return new Batch(values.ToArray(), offsets, langs);
    }

    private static Timing WriteShard(string path, List<Batch> batches, CompressionCodec codec, int level, Layout layout)
    {
        var schema = new ParquetSchema(ParquetColumn.List("input_ids", PhysicalType.Int32), ParquetColumn.String("lang"));
        var options = new ParquetWriterOptions { Codec = codec, CompressionLevel = level, RowGroupTargetBytes = layout.RowGroupBytes, PageTargetBytes = layout.PageBytes };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        using (var writer = new ParquetWriter(path, schema, options))
        {
            foreach (var batch in batches)
                writer.Write(ColumnData.FromInt32Lists(schema.Columns[0], batch.Values, batch.Offsets), ColumnData.FromStrings(schema.Columns[1], batch.Langs));
            writer.Complete();
        }
        return new Timing(watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    // What a loader does across shards: the previous result is handed back, so once warm the reader's
    // own allocations are what is left; they are counted on one extra, untimed read.
    private static ReadResult MeasureOurs(string path, int rounds)
    {
        ColumnData? ids = null;
        var result = ReadAllTokens(path, ref ids);
        var samples = new Timing[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            result = ReadAllTokens(path, ref ids);
            samples[r] = new Timing(watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        ReadAllTokens(path, ref ids);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using var reader = ParquetReader.Open(path);
        return new ReadResult(result.Tokens, result.Sum, Median(samples), allocated, reader.RowGroupCount, new FileInfo(path).Length);
    }

    // Every row group's input_ids as flat values plus offsets; the sum keeps the work honest.
    private static (long Tokens, long Sum) ReadAllTokens(string path, ref ColumnData? ids)
    {
        using var reader = ParquetReader.Open(path);
        long tokens = 0, sum = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            ids = reader.ReadColumn(g, "input_ids", reuse: ids);
            foreach (var token in ids.Int32Span) sum += token;
            tokens += ids.ValueCount;
        }
        return (tokens, sum);
    }

    private static void PrintWrite(long tokens, Timing ours, long allocated, Timing duck)
    {
        Console.WriteLine($"{"writer (1 MiB pages)",-26} {"wall s",8} {"CPU s",7} {"M tokens/s",11}");
        Console.WriteLine($"{"PolyGlot.Parquet",-26} {ours.Seconds,8:F3} {ours.CpuSeconds,7:F3} {tokens / ours.Seconds / 1e6,11:F1}   ({allocated / 1e6:F1} MB allocated per write)");
        Console.WriteLine($"{"DuckDB (COPY from memory)",-26} {duck.Seconds,8:F3} {duck.CpuSeconds,7:F3} {tokens / duck.Seconds / 1e6,11:F1}");
        Console.WriteLine($"write ratio (ours / DuckDB): {duck.Seconds / ours.Seconds:F2}x");
        Console.WriteLine();
    }

    private static void PrintReads(long tokens, List<(Layout Layout, ReadResult Ours, Timing Duck)> results)
    {
        Console.WriteLine($"{"reader",-13} {"groups",6} {"MB",6} | {"ours s",7} {"CPU s",6} {"M tok/s",8} {"alloc/read",11} | {"DuckDB s",8} {"CPU s",6} {"M tok/s",8} | {"ours/DuckDB",11} {"vs 1 MiB",8}");
        var reference = results[0].Ours.Time.Seconds;
        foreach (var (layout, ours, duck) in results)
        {
            Console.WriteLine($"{layout.Name,-13} {ours.RowGroups,6} {ours.FileBytes / 1e6,6:F1} | {ours.Time.Seconds,7:F3} {ours.Time.CpuSeconds,6:F3} {tokens / ours.Time.Seconds / 1e6,8:F1} {ours.AllocatedBytes / 1e6,8:F2} MB | " +
                $"{duck.Seconds,8:F3} {duck.CpuSeconds,6:F3} {tokens / duck.Seconds / 1e6,8:F1} | {duck.Seconds / ours.Time.Seconds,10:F2}x {reference / ours.Time.Seconds,7:F2}x");
        }
    }

    private static bool TryParseCodec(string name, out CompressionCodec codec)
    {
        codec = name.ToLowerInvariant() switch
        {
            "zstd" => CompressionCodec.Zstd,
            "snappy" => CompressionCodec.Snappy,
            "gzip" => CompressionCodec.Gzip,
            "lz4_raw" => CompressionCodec.Lz4Raw,
            "uncompressed" => CompressionCodec.Uncompressed,
            _ => (CompressionCodec)(-1),
        };
        return (int)codec >= 0;
    }
}
