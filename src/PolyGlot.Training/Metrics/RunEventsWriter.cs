using System.Text.Json;

namespace PolyGlot.Training.Metrics;

/// <summary>
/// Appends to <c>events.jsonl</c> what a run's report needs and <c>metrics.jsonl</c> does not
/// hold: each start or resume, the share of every step's sequences drawn from each data group
/// (the curriculum's realised mix, next to the scheduled one in metrics.jsonl), each checkpoint
/// and the end of an invocation, each with a UTC time so that a report can tell wall time.
/// Every line's <c>step</c> is, as in metrics.jsonl and the log, the number of the last step
/// trained when the event happened, counted from 1 (0 before the first). Lines are handed to the OS as written.
/// </summary>
public sealed class RunEventsWriter : IDisposable
{
    /// <summary>The file name inside a run directory.</summary>
    public const string FileName = "events.jsonl";

    private readonly FileStream _stream;

    private RunEventsWriter(FileStream stream) => _stream = stream;

    /// <summary>
    /// Opens <paramref name="path"/>: a fresh start (<paramref name="resumedAfterStep"/> null)
    /// empties it, a resume drops the lines of later steps, which are about to be trained again.
    /// </summary>
    public static RunEventsWriter Open(string path, long? resumedAfterStep)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (resumedAfterStep is { } step && File.Exists(path))
            MetricsWriter.DropLinesAfter(path, step);
        var mode = resumedAfterStep is null ? FileMode.Create : FileMode.Append;
        return new RunEventsWriter(new FileStream(path, mode, FileAccess.Write, FileShare.Read));
    }

    /// <summary>The invocation starts after step <paramref name="afterStep"/>, from <paramref name="resumedFrom"/> (null: from scratch).</summary>
    public void Start(long afterStep, string? resumedFrom, long parameters, long totalSteps, DateTime time) => Write("start", afterStep, time, w =>
    {
        w.WriteString("resumed_from", resumedFrom);
        w.WriteNumber("parameters", parameters);
        w.WriteNumber("total_steps", totalSteps);
    });

    /// <summary>Step <paramref name="step"/> drew these shares of its sequences from each data group.</summary>
    public void Step(long step, IReadOnlyDictionary<string, double> realizedGroupShares, DateTime time) => Write("step", step, time, w =>
    {
        w.WriteStartObject("realized_group_shares");
        foreach (var (group, share) in realizedGroupShares)
            w.WriteNumber(group, Math.Round(share, 6));
        w.WriteEndObject();
    });

    /// <summary>A checkpoint of the state after step <paramref name="afterStep"/> was written to <paramref name="directory"/>.</summary>
    public void Checkpoint(long afterStep, string directory, DateTime time) =>
        Write("checkpoint", afterStep, time, w => w.WriteString("directory", directory));

    /// <summary>The invocation ended after step <paramref name="afterStep"/> for <paramref name="reason"/> (e.g. Completed, Interrupted).</summary>
    public void End(long afterStep, string reason, DateTime time) => Write("end", afterStep, time, w => w.WriteString("reason", reason));

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
    }

    private void Write(string kind, long step, DateTime time, Action<Utf8JsonWriter> body)
    {
        using (var writer = new Utf8JsonWriter(_stream))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", kind);
            writer.WriteNumber("step", step);
            writer.WriteString("time", time.ToUniversalTime());
            body(writer);
            writer.WriteEndObject();
        }
        _stream.WriteByte((byte)'\n');
        _stream.Flush();
    }
}
