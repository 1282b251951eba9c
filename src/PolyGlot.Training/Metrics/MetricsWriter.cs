using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Metrics;

/// <summary>
/// Appends one JSON object per line to <c>metrics.jsonl</c>. Each line is handed to the operating
/// system as soon as it is written, so a crash of the process loses nothing; the file is also
/// flushed to disk every few seconds and on dispose. Non-finite numbers (a NaN loss) are written as
/// <c>null</c>, since JSON has no NaN.
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    /// <summary>The file name inside a run directory.</summary>
    public const string FileName = "metrics.jsonl";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new FiniteOrNullConverter() },
    };

    private readonly FileStream _stream;
    private readonly TimeSpan _syncInterval;
    private DateTime _lastSync = DateTime.UtcNow;

    private MetricsWriter(FileStream stream, TimeSpan syncInterval)
    {
        _stream = stream;
        _syncInterval = syncInterval;
    }

    /// <summary>The file being written.</summary>
    public string Path => _stream.Name;

    /// <summary>
    /// Opens <paramref name="path"/> for appending. When resuming after step <paramref name="resumedAfterStep"/>,
    /// lines of later steps (written after that checkpoint by the interrupted run, and about to be
    /// recomputed) are dropped first, so every step appears once.
    /// </summary>
    public static MetricsWriter Open(string path, long? resumedAfterStep = null, TimeSpan? syncInterval = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        if (resumedAfterStep is { } step && File.Exists(path))
            DropLinesAfter(path, step);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new MetricsWriter(stream, syncInterval ?? TimeSpan.FromSeconds(5));
    }

    /// <summary>Appends a training step.</summary>
    public void Write(StepMetrics metrics) => WriteLine(JsonSerializer.SerializeToUtf8Bytes(metrics, Options));

    /// <summary>Appends an evaluation.</summary>
    public void Write(EvalMetrics metrics) => WriteLine(JsonSerializer.SerializeToUtf8Bytes(metrics, Options));

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
    }

    private void WriteLine(byte[] json)
    {
        _stream.Write(json);
        _stream.WriteByte((byte)'\n');
        _stream.Flush();
        if (DateTime.UtcNow - _lastSync >= _syncInterval)
        {
            _stream.Flush(flushToDisk: true);
            _lastSync = DateTime.UtcNow;
        }
    }

    /// <summary>Rewrites <paramref name="path"/> (atomically) without the lines of steps after <paramref name="step"/> and without a torn last line.</summary>
    internal static void DropLinesAfter(string path, long step)
    {
        var kept = new StringBuilder();
        foreach (var line in File.ReadLines(path))
        {
            if (StepOf(line) is { } lineStep && lineStep > step)
                continue;
            if (line.Length > 0)
                kept.Append(line).Append('\n');
        }
        var temp = DurableFiles.TempPathFor(path);
        File.WriteAllText(temp, kept.ToString());
        using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
            stream.Flush(flushToDisk: true);
        DurableFiles.Publish(temp, path);
    }

    private static long? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out var step) && step.TryGetInt64(out var value) ? value : null;
        }
        catch (JsonException)
        {
            // A torn last line from a crash mid-write carries no usable step: drop it.
            return long.MaxValue;
        }
    }

    private sealed class FiniteOrNullConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
                writer.WriteNumberValue(value);
            else
                writer.WriteNullValue();
        }
    }
}
