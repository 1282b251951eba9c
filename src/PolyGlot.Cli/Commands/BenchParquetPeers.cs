using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// DuckDB as the peer of <c>polyglot bench parquet</c>, run through the scripts in
/// tests/PolyGlot.Parquet.Tests/interop (installed by scripts/setup.sh): one thread, the median of
/// the timed rounds with the CPU seconds of the same round.
/// </summary>
internal static class BenchParquetPeers
{
    private const string Folder = "tests/PolyGlot.Parquet.Tests/interop";

    /// <summary>A median round: wall seconds and the CPU seconds the peer spent in that round.</summary>
    public readonly record struct Timing(double Seconds, double CpuSeconds);

    /// <summary>DuckDB sums the length and the values of every <c>input_ids</c> list of <paramref name="path"/>.</summary>
    public static (long Tokens, long Sum, Timing Time) Read(string path, int rounds)
    {
        var root = Run("duckdb-bench.mjs", path, rounds.ToString(CultureInfo.InvariantCulture));
        return (long.Parse(root.GetProperty("tokens").GetString()!, CultureInfo.InvariantCulture),
            long.Parse(root.GetProperty("sum").GetString()!, CultureInfo.InvariantCulture), MedianOf(root));
    }

    /// <summary>DuckDB loads <paramref name="source"/> into memory, then writes it to <paramref name="target"/> once per round.</summary>
    public static Timing Write(string source, string target, int rounds, string codec, int zstdLevel)
    {
        var root = Run("duckdb-write-bench.mjs", source, target, rounds.ToString(CultureInfo.InvariantCulture), codec,
            zstdLevel.ToString(CultureInfo.InvariantCulture));
        return MedianOf(root);
    }

    /// <summary>The round with the median wall time.</summary>
    public static Timing Median(IReadOnlyList<Timing> rounds) => rounds.OrderBy(t => t.Seconds).ElementAt(rounds.Count / 2);

    private static Timing MedianOf(JsonElement root)
    {
        var seconds = root.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var cpu = root.GetProperty("cpuSeconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return Median(seconds.Zip(cpu, (s, c) => new Timing(s, c)).ToArray());
    }

    private static JsonElement Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ReferenceScripts.Locate($"{Folder}/{script}"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node {Folder}/{script} failed (exit {process.ExitCode}); scripts/setup.sh installs DuckDB there:\n{errors.Result}");
        using var json = JsonDocument.Parse(output.Result);
        return json.RootElement.Clone();
    }

}
