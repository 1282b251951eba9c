using System.Text.Json;
using PolyGlot.Common.Configuration;
using PolyGlot.Model.Configuration;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Metrics;

namespace PolyGlot.Training.Reporting;

/// <summary>
/// Reads a run directory into a <see cref="RunHistory"/>, whatever state the run is in: still
/// training, crashed (a torn last line), or written before <c>events.jsonl</c> existed. Only a
/// directory that does not exist is an error; anything missing inside it becomes a note.
/// </summary>
public static class RunHistoryReader
{
    /// <summary>The name of the resolved configuration that <c>train</c> saves in the run directory.</summary>
    public const string ConfigFileName = "config.yaml";

    /// <summary>Reads <paramref name="runDirectory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static RunHistory Read(string runDirectory)
    {
        if (!Directory.Exists(runDirectory))
            throw new DirectoryNotFoundException($"{runDirectory}: no such run directory; pass the logging.run_dir of a run, e.g. runs/demo.");
        var notes = new List<string>();
        var config = ReadConfig(runDirectory, notes);
        var metricsPath = Path.Combine(runDirectory, MetricsWriter.FileName);
        var steps = new List<TrainPoint>();
        var evals = new List<EvalPoint>();
        if (File.Exists(metricsPath))
            JsonLines.Read(metricsPath, notes, e =>
            {
                switch (JsonLines.Text(e, "kind"))
                {
                    case "train": steps.Add(Train(e)); break;
                    case "eval": evals.Add(Eval(e)); break;
                }
            });
        else
            notes.Add($"{MetricsWriter.FileName} does not exist yet: the run has not finished a step.");
        var eventsPath = Path.Combine(runDirectory, RunEventsWriter.FileName);
        var events = new List<JsonElement>();
        var mix = new List<MixPoint>();
        var timeline = new List<(bool Start, DateTime Time)>();
        if (File.Exists(eventsPath))
            JsonLines.Read(eventsPath, notes, e =>
            {
                if (JsonLines.Time(e, "time") is { } time)
                    timeline.Add((JsonLines.Text(e, "kind") == "start", time));
                if (JsonLines.Text(e, "kind") == "step")
                    mix.Add(new MixPoint(JsonLines.Integer(e, "step"), JsonLines.Numbers(e, "realized_group_shares")));
                else
                    events.Add(e.Clone());
            });

        var markers = Markers(events, runDirectory, config);
        var start = events.LastOrDefault(e => JsonLines.Text(e, "kind") == "start");
        long? parameters = start.ValueKind == JsonValueKind.Object ? JsonLines.Integer(start, "parameters") : null;
        long? total = start.ValueKind == JsonValueKind.Object ? JsonLines.Integer(start, "total_steps") : null;
        return new RunHistory
        {
            Name = config?.Name ?? Path.GetFileName(Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar)),
            Directory = runDirectory,
            Config = config,
            Steps = LastPerStep(steps),
            Evals = LastPerStep(evals),
            Mix = LastPerStep(mix),
            Markers = markers,
            Notes = notes,
            Parameters = parameters ?? (config is null ? null : ModelSize.Of(config.Model).Total),
            TotalSteps = total ?? (config is null ? null : TryTotalSteps(config)),
            WallTime = WallTime(timeline),
        };
    }

    private static RunConfig? ReadConfig(string runDirectory, List<string> notes)
    {
        var path = Path.Combine(runDirectory, ConfigFileName);
        if (!File.Exists(path))
        {
            notes.Add($"{ConfigFileName} does not exist: the header shows no configuration.");
            return null;
        }
        try
        {
            return RunConfig.Load(path);
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            notes.Add($"{ConfigFileName} could not be read ({e.Message.Split('\n')[0]}): the header shows no configuration.");
            return null;
        }
    }

    private static long? TryTotalSteps(RunConfig config)
    {
        try
        {
            return config.TotalSteps;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static TrainPoint Train(JsonElement e) => new(
        JsonLines.Integer(e, "step"), JsonLines.Number(e, "loss"), JsonLines.Numbers(e, "loss_per_language"),
        JsonLines.Number(e, "lr"), JsonLines.Number(e, "grad_norm"), JsonLines.Number(e, "tokens_per_second"), JsonLines.Number(e, "mfu"),
        Shares(JsonLines.Numbers(e, "curriculum_shares")), JsonLines.Integers(e, "tokens_per_language"), JsonLines.Integer(e, "tokens_consumed"),
        e.TryGetProperty("skipped", out var skipped) && skipped.ValueKind == JsonValueKind.True, JsonLines.Number(e, "step_seconds"));

    // Without a curriculum the trainer reports the size-based group weights (tokens^alpha), which
    // do not sum to 1; as shares of the batch they are normalised here.
    private static IReadOnlyDictionary<string, double> Shares(IReadOnlyDictionary<string, double> weights)
    {
        var sum = weights.Values.Sum();
        return sum > 0 && Math.Abs(sum - 1) > 1e-9 ? weights.ToDictionary(p => p.Key, p => p.Value / sum, StringComparer.Ordinal) : weights;
    }

    private static EvalPoint Eval(JsonElement e) => new(
        JsonLines.Integer(e, "step"), JsonLines.Number(e, "loss"), JsonLines.Numbers(e, "loss_per_language"),
        JsonLines.Numbers(e, "bits_per_byte_per_language"));

    // A resumed run rewrites the steps after its checkpoint; a file from a crash between the two
    // could list a step twice. The later line is the one that counts.
    private static List<T> LastPerStep<T>(IEnumerable<T> points) where T : notnull
    {
        var byStep = new SortedDictionary<long, T>();
        foreach (var point in points)
            byStep[StepOf(point)] = point;
        return byStep.Values.ToList();
    }

    private static long StepOf<T>(T point) => point switch
    {
        TrainPoint t => t.Step,
        EvalPoint e => e.Step,
        MixPoint m => m.Step,
        _ => throw new ArgumentException($"no step on {typeof(T).Name}"),
    };

    private static List<RunMarker> Markers(List<JsonElement> events, string runDirectory, RunConfig? config)
    {
        var markers = new List<RunMarker>();
        foreach (var e in events)
        {
            var step = JsonLines.Integer(e, "step", -1);
            var time = JsonLines.Time(e, "time");
            switch (JsonLines.Text(e, "kind"))
            {
                case "start" when JsonLines.Text(e, "resumed_from") is { } from:
                    markers.Add(new RunMarker(step, MarkerKind.Resume, "resumed from " + Path.GetFileName(from.TrimEnd('/')), time));
                    break;
                case "start":
                    markers.Add(new RunMarker(step, MarkerKind.Start, "started", time));
                    break;
                case "checkpoint":
                    markers.Add(new RunMarker(step, MarkerKind.Checkpoint, "checkpoint " + Path.GetFileName(JsonLines.Text(e, "directory") ?? ""), time));
                    break;
                case "end":
                    markers.Add(new RunMarker(step, MarkerKind.End, "ended: " + (JsonLines.Text(e, "reason") ?? "?"), time));
                    break;
            }
        }
        // Checkpoints on disk count too: a run from before events.jsonl has them only there.
        var root = config?.Checkpointing.ResolveDir(runDirectory) is { } dir && Directory.Exists(dir) ? dir : Path.Combine(runDirectory, "checkpoints");
        var known = markers.Where(m => m.Kind == MarkerKind.Checkpoint).Select(m => m.Step).ToHashSet();
        foreach (var (step, directory, complete) in new CheckpointStore(root).List())
            if (complete && known.Add(step))
                markers.Add(new RunMarker(step, MarkerKind.Checkpoint, "checkpoint " + Path.GetFileName(directory), null));
        // A stable sort: events at the same step stay in the order they happened.
        return markers.OrderBy(m => m.Step).ToList();
    }

    // Each invocation runs from its start event to its last event (a step, checkpoint or end);
    // the gaps between invocations (a crash, a pause) are not the run's time.
    private static TimeSpan? WallTime(List<(bool Start, DateTime Time)> timeline)
    {
        var total = TimeSpan.Zero;
        DateTime? start = null, last = null;
        foreach (var (isStart, time) in timeline)
        {
            if (isStart)
            {
                if (start is { } s && last is { } l)
                    total += l - s;
                start = time;
            }
            last = time;
        }
        if (start is { } first && last is { } end)
            total += end - first;
        return start is null ? null : total;
    }
}
