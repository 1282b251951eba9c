using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolyGlot.Cli.Commands;

/// <summary>What one process of <c>polyglot bench checkpoint</c> measured (its <c>rank-R.json</c>).</summary>
internal sealed record RankFigures
{
    public int Rank { get; init; }
    public int World { get; init; }
    public int Zero { get; init; }
    public string Strategy { get; init; } = "";
    public string MemoryMethod { get; init; } = "";
    public long StateBytes { get; init; }
    public long HeldBytes { get; init; }
    public long LargestTensorBytes { get; init; }
    public long WrittenBytes { get; init; }
    public long CheckpointBytes { get; init; }
    public List<double> SaveSeconds { get; init; } = [];
    public List<double> SaveCpuSeconds { get; init; } = [];
    public List<long> SaveGrowthBytes { get; init; } = [];
    public List<double> OpenSeconds { get; init; } = [];
    public List<double> LoadSeconds { get; init; } = [];
    public List<double> LoadCpuSeconds { get; init; } = [];

    /// <summary>The most this process's memory grew during a save, against what it may hold: its part and one tensor.</summary>
    public long BoundBytes => WrittenBytes + LargestTensorBytes;
}

/// <summary>The processes of one measured set-up: the 1-process reference, or N ranks at one ZeRO stage.</summary>
internal sealed record CheckpointCase(int Ranks, int? Zero, IReadOnlyList<RankFigures> PerRank)
{
    public string Label => Zero is { } zero ? $"{Ranks} rank{(Ranks == 1 ? "" : "s")}, ZeRO-{zero}" : "1 process";

    /// <summary>A save's time: rank 0's median (every rank leaves a save at its final agreement).</summary>
    public double SaveSeconds => Median(PerRank[0].SaveSeconds);

    /// <summary>CPU seconds of one save, all processes together (each one's median).</summary>
    public double SaveCpuSeconds => PerRank.Sum(r => Median(r.SaveCpuSeconds));

    /// <summary>A resume's read: the slowest process's median (training continues when every rank has its part).</summary>
    public double LoadSeconds => PerRank.Max(r => Median(r.LoadSeconds));

    public double LoadCpuSeconds => PerRank.Sum(r => Median(r.LoadCpuSeconds));

    /// <summary>True when no process grew during any save by more than its part plus one tensor.</summary>
    public bool WithinBound => PerRank.All(r => r.SaveGrowthBytes.Max() <= r.BoundBytes);

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>Prints <c>polyglot bench checkpoint</c>'s table and writes its JSON.</summary>
internal static class BenchCheckpointReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>snake_case names, as the other benchmarks' JSON.</summary>
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The goal of fully sharded checkpoints: at 4 ranks and ZeRO-3 a save takes at most this share of one process's.</summary>
    public const double SaveGoal = 0.4;

    public static void Print(CheckpointCase reference, IReadOnlyList<CheckpointCase> cases)
    {
        Console.WriteLine("run                 save s (fastest-slowest)   x 1 proc   CPU s    load s   x 1 proc   CPU s   checkpoint MB");
        foreach (var run in cases.Prepend(reference))
            Console.WriteLine(string.Create(C,
                $"{run.Label,-18} {run.SaveSeconds,7:F3} ({run.PerRank[0].SaveSeconds.Min():F3}-{run.PerRank[0].SaveSeconds.Max():F3})   {run.SaveSeconds / reference.SaveSeconds,8:F3}  {run.SaveCpuSeconds,6:F2}   {run.LoadSeconds,7:F3}   {run.LoadSeconds / reference.LoadSeconds,8:F3}  {run.LoadCpuSeconds,6:F2}   {run.PerRank[0].CheckpointBytes / 1e6,12:F1}"));
        Console.WriteLine("per process: MB written / most MB its memory grew during a save / its part plus the largest tensor (MB) / load s");
        foreach (var run in cases.Prepend(reference))
            Console.WriteLine($"{run.Label,-18} " + string.Join("  ", run.PerRank.Select(r => string.Create(C,
                $"rank {r.Rank}: {r.WrittenBytes / 1e6:F1} / {r.SaveGrowthBytes.Max() / 1e6:F1} / {r.BoundBytes / 1e6:F1} / {CheckpointCase.Median(r.LoadSeconds):F3}"))));
        Console.WriteLine($"memory: {reference.PerRank[0].MemoryMethod}; save: median of {reference.PerRank[0].SaveSeconds.Count} on rank 0; load: resume minus fresh open, the slowest rank's median");
        foreach (var run in cases.Where(c => c is { Ranks: 4, Zero: 3 }))
        {
            var ratio = run.SaveSeconds / reference.SaveSeconds;
            Console.WriteLine(string.Create(C,
                $"goal at 4 ranks, ZeRO-3: save at most {SaveGoal:F1}x of 1 process: {ratio:F3}x {(ratio <= SaveGoal ? "met" : "MISSED")}; every rank within its part plus one tensor: {(run.WithinBound ? "met" : "MISSED")}"));
        }
    }

    /// <summary>Every case with its summary figures and each process's own, for scripts (the GPU check).</summary>
    public static void WriteJson(string path, CheckpointCase reference, IReadOnlyList<CheckpointCase> cases)
    {
        var array = new JsonArray();
        foreach (var run in cases.Prepend(reference))
            array.Add(new JsonObject
            {
                ["label"] = run.Label, ["ranks"] = run.Ranks, ["zero"] = run.Zero,
                ["save_seconds"] = run.SaveSeconds, ["save_vs_one_process"] = run.SaveSeconds / reference.SaveSeconds,
                ["save_cpu_seconds"] = run.SaveCpuSeconds,
                ["load_seconds"] = run.LoadSeconds, ["load_vs_one_process"] = run.LoadSeconds / reference.LoadSeconds,
                ["load_cpu_seconds"] = run.LoadCpuSeconds, ["checkpoint_bytes"] = run.PerRank[0].CheckpointBytes,
                ["within_part_plus_one_tensor"] = run.WithinBound,
                ["per_rank"] = JsonSerializer.SerializeToNode(run.PerRank, Json),
            });
        File.WriteAllText(path, array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
