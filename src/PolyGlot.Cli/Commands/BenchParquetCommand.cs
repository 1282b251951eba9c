using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Writing;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot bench parquet</c>: writes a realistic token shard (<c>input_ids: list&lt;int32&gt;</c> with a
/// <c>lang</c> column), then reads its tokens back on one thread with PolyGlot.Parquet and with DuckDB
/// (tests/PolyGlot.Parquet.Tests/interop/duckdb-bench.mjs) and prints tokens/s for both and the ratio.
/// </summary>
internal static class BenchParquetCommand
{
    private const string DuckDbScript = "tests/PolyGlot.Parquet.Tests/interop/duckdb-bench.mjs";
    private static readonly string[] Langs = ["en", "zh", "es", "fr", "pt", "ru", "de", "it", "ar", "ja", "ko", "th", "vi", "id", "nl", "pl", "tr", "he"];

    public static Command Create()
    {
        var megabytes = new Option<int>("--mb") { Description = "Size of the token data (int32) in MB", DefaultValueFactory = _ => 64 };
        var rounds = new Option<int>("--rounds") { Description = "Timed read rounds per reader; the median is reported", DefaultValueFactory = _ => 5 };
        var codec = new Option<string>("--codec") { Description = "Codec of the shard: zstd, snappy, gzip, lz4_raw, uncompressed", DefaultValueFactory = _ => "zstd" };
        var directory = new Option<string?>("--dir") { Description = "Where to write the shard (default: a temporary folder, removed afterwards)" };
        var command = new Command("parquet", "Token shard read speed: PolyGlot.Parquet vs DuckDB, one thread each, tokens/s and ratio.");
        command.Options.Add(megabytes);
        command.Options.Add(rounds);
        command.Options.Add(codec);
        command.Options.Add(directory);
        command.SetAction(parse => Run(parse.GetValue(megabytes), parse.GetValue(rounds), parse.GetValue(codec)!, parse.GetValue(directory)));
        return command;
    }

    private static int Run(int megabytes, int rounds, string codecName, string? directory)
    {
        if (megabytes < 1 || rounds < 1 || !TryParseCodec(codecName, out var codec))
        {
            Serilog.Log.Error("bench parquet: --mb and --rounds must be >= 1 and --codec one of zstd, snappy, gzip, lz4_raw, uncompressed (got {Mb}, {Rounds}, {Codec})", megabytes, rounds, codecName);
            return 1;
        }
        var folder = directory ?? Path.Combine(Path.GetTempPath(), "pg-bench-parquet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "tokens.parquet");
            var (tokens, writeSeconds) = WriteShard(path, megabytes * (1L << 20) / 4, codec);
            var size = new FileInfo(path).Length;
            Serilog.Log.Information("bench parquet: wrote {Tokens:N0} tokens ({Size:N1} MB {Codec}) in {Seconds:F2} s", tokens, size / 1e6, codec, writeSeconds);
            var (ourTokens, ourSum, ourSeconds) = MeasureOurs(path, rounds);
            var (duckTokens, duckSum, duckSeconds) = MeasureDuckDb(path, rounds);
            if (ourTokens != tokens || duckTokens != tokens || ourSum != duckSum)
            {
                Serilog.Log.Error("bench parquet: readers disagree: ours {OurTokens} tokens sum {OurSum}, DuckDB {DuckTokens} tokens sum {DuckSum}", ourTokens, ourSum, duckTokens, duckSum);
                return 1;
            }
            Print(tokens, size, writeSeconds, ourSeconds, duckSeconds);
            return 0;
        }
        finally
        {
            if (directory is null) Directory.Delete(folder, recursive: true);
        }
    }

    // Documents of 20..4,000 tokens (log-uniform) with Zipf-like ids over a 256K vocabulary, so that
    // compression sees the skew of real token streams.
    private static (long Tokens, double Seconds) WriteShard(string path, long targetTokens, CompressionCodec codec)
    {
        var random = new Random(12345);
        var schema = new ParquetSchema(ParquetColumn.List("input_ids", PhysicalType.Int32), ParquetColumn.String("lang"));
        var watch = Stopwatch.StartNew();
        long written = 0;
        using var writer = new ParquetWriter(path, schema, new ParquetWriterOptions { Codec = codec });
        while (written < targetTokens)
        {
            var (values, offsets, langs) = Batch(random, 256);
            writer.Write(ColumnData.FromInt32Lists(schema.Columns[0], values, offsets), ColumnData.FromStrings(schema.Columns[1], langs));
            written += values.Length;
        }
        writer.Complete();
        return (written, watch.Elapsed.TotalSeconds);
    }

    private static (int[] Values, int[] Offsets, string[] Langs) Batch(Random random, int documents)
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
        return (values.ToArray(), offsets, langs);
    }

    private static (long Tokens, long Sum, double Seconds) MeasureOurs(string path, int rounds)
    {
        var result = ReadAllTokens(path);
        var samples = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var watch = Stopwatch.StartNew();
            result = ReadAllTokens(path);
            samples[r] = watch.Elapsed.TotalSeconds;
        }
        return (result.Tokens, result.Sum, Median(samples));
    }

    // What a loader does: every row group's input_ids as flat values plus offsets; the sum keeps the work honest.
    private static (long Tokens, long Sum) ReadAllTokens(string path)
    {
        using var reader = ParquetReader.Open(path);
        long tokens = 0, sum = 0;
        ColumnData? ids = null;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            ids = reader.ReadColumn(g, "input_ids", reuse: ids);
            foreach (var token in ids.Int32Span) sum += token;
            tokens += ids.ValueCount;
        }
        return (tokens, sum);
    }

    private static (long Tokens, long Sum, double Seconds) MeasureDuckDb(string path, int rounds)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(LocateScript());
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(rounds.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node {DuckDbScript} failed (exit {process.ExitCode}); scripts/setup.sh installs DuckDB there:\n{errors.Result}");
        using var json = JsonDocument.Parse(output.Result);
        var root = json.RootElement;
        var seconds = root.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return (long.Parse(root.GetProperty("tokens").GetString()!, CultureInfo.InvariantCulture),
            long.Parse(root.GetProperty("sum").GetString()!, CultureInfo.InvariantCulture), Median(seconds));
    }

    private static void Print(long tokens, long size, double writeSeconds, double ours, double duck)
    {
        Console.WriteLine($"shard: {tokens:N0} tokens, {size / 1e6:F1} MB on disk, written in {writeSeconds:F2} s ({tokens / writeSeconds / 1e6:F1} M tokens/s)");
        Console.WriteLine($"{"reader (1 thread)",-22} {"seconds",9} {"M tokens/s",11}");
        Console.WriteLine($"{"PolyGlot.Parquet",-22} {ours,9:F3} {tokens / ours / 1e6,11:F1}");
        Console.WriteLine($"{"DuckDB",-22} {duck,9:F3} {tokens / duck / 1e6,11:F1}");
        Console.WriteLine($"ratio (ours / DuckDB): {duck / ours:F2}x");
    }

    private static double Median(double[] samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted[sorted.Length / 2];
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

    private static string LocateScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DuckDbScript);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{DuckDbScript} not found above {AppContext.BaseDirectory}; run polyglot from the repository build.");
    }
}
