using System.Text;
using System.Text.Json;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// Writes one checkpoint crash-safely: every file goes into a hidden temporary directory and is
/// fsynced as it is closed (its SHA-256 computed on the way), then <c>checksums.sha256</c>; the
/// directory is fsynced and renamed to <c>step-NNNNNN</c>, and only then is <c>COMPLETE</c> written
/// and fsynced. A crash at any point leaves either no <c>step-</c> directory or one without
/// <c>COMPLETE</c>, which readers skip.
/// </summary>
internal static class CheckpointWriter
{
    public static string Write(string root, CheckpointData data)
    {
        Directory.CreateDirectory(root);
        var temp = Path.Combine(root, $"{CheckpointFiles.TempPrefix}{CheckpointFiles.DirectoryName(data.Step)}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var metadata = TensorMetadata(data);
            List<(string File, string Sha256)> checksums =
            [
                WriteFile(temp, CheckpointFiles.Model, s => WriteTensors(s, data.ModelTensors, metadata)),
                WriteFile(temp, CheckpointFiles.Optimizer, s => WriteTensors(s, data.OptimizerTensors, metadata)),
                .. WriteCommonFiles(temp, data, shardedOver: 0),
            ];
            return Complete(root, temp, data.Step, checksums);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Writes the files every checkpoint holds besides its tensors (manifest, trainer, data, RNG
    /// and config) into <paramref name="dir"/>, each fsynced, and returns their checksums.
    /// </summary>
    internal static List<(string File, string Sha256)> WriteCommonFiles(string dir, CheckpointData data, int shardedOver)
    {
        Validate(data);
        var manifest = new CheckpointManifest
        {
            Step = data.Step, CreatedUtc = DateTime.UtcNow, Compatibility = data.Compatibility, WeightsOnly = data.WeightsOnly, ShardedOver = shardedOver,
        };
        return
        [
            WriteFile(dir, CheckpointFiles.Manifest, s => s.Write(CheckpointJson.Serialize(manifest))),
            WriteFile(dir, CheckpointFiles.Trainer, s => s.Write(CheckpointJson.Serialize(data.Trainer))),
            WriteFile(dir, CheckpointFiles.Data, s => s.Write(Encoding.UTF8.GetBytes(data.DataStateJson))),
            WriteFile(dir, CheckpointFiles.Rng, s => s.Write(CheckpointJson.Serialize(data.Rng))),
            WriteFile(dir, CheckpointFiles.Config, s => s.Write(Encoding.UTF8.GetBytes(data.ConfigYaml))),
        ];
    }

    /// <summary>
    /// Finishes a checkpoint whose files (listed with their SHA-256 in <paramref name="checksums"/>)
    /// are in <paramref name="temp"/>: writes <c>checksums.sha256</c>, fsyncs the directory, renames
    /// it to its <c>step-</c> name under <paramref name="root"/>, then writes <c>COMPLETE</c>.
    /// </summary>
    internal static string Complete(string root, string temp, long step, List<(string File, string Sha256)> checksums)
    {
        var final = Path.Combine(root, CheckpointFiles.DirectoryName(step));
        var checksumText = WriteChecksums(temp, checksums);
        DurableFiles.FlushDirectory(temp);
        Publish(root, temp, final);
        WriteMarker(final, step, checksumText);
        return final;
    }

    /// <summary>The metadata of a checkpoint's safetensors headers.</summary>
    internal static Dictionary<string, string> TensorMetadata(CheckpointData data) => new(data.TensorMetadata) { ["format"] = "pt" };

    /// <summary>Writes <paramref name="tensors"/> as one safetensors file at <paramref name="dir"/>/<paramref name="name"/>, fsynced; returns its checksum.</summary>
    internal static (string File, string Sha256) WriteTensorFile(string dir, string name, IReadOnlyList<SafetensorsPayload> tensors,
        IReadOnlyDictionary<string, string> metadata) => WriteFile(dir, name, s => WriteTensors(s, tensors, metadata));

    private static void Validate(CheckpointData data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(data.Step);
        try
        {
            using var _ = JsonDocument.Parse(data.DataStateJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The data state to checkpoint is not valid JSON: {e.Message}", nameof(data), e);
        }
    }

    private static void WriteTensors(Stream stream, IReadOnlyList<SafetensorsPayload> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var layout = SafetensorsLayout.Create(tensors.Select(t => t.Info), metadata);
        using var writer = SafetensorsWriter.Over(stream, layout);
        SafetensorsPayload.WriteAll(writer, tensors);
        writer.Commit();
    }

    internal static (string, string) WriteFile(string dir, string name, Action<Stream> write)
    {
        (string, string) written;
        using (var stream = new HashingFileWriter(Path.Combine(dir, name)))
        {
            write(stream);
            written = (name, stream.Finish());
        }
        if (TestDelay > TimeSpan.Zero)
            Thread.Sleep(TestDelay);
        return written;
    }

    /// <summary>
    /// Test-only: <c>POLYGLOT_TEST_CHECKPOINT_DELAY_MS</c> pauses this long after each file, which
    /// widens the window in which scripts/faults.sh's kills land inside a checkpoint write. Unset
    /// (the default) or not a positive number: no pause.
    /// </summary>
    internal static readonly TimeSpan TestDelay =
        int.TryParse(Environment.GetEnvironmentVariable("POLYGLOT_TEST_CHECKPOINT_DELAY_MS"), out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;

    private static string WriteChecksums(string dir, List<(string File, string Sha256)> checksums)
    {
        // sha256sum's format (hash, two spaces, name), so `sha256sum -c checksums.sha256` verifies by hand.
        var text = string.Concat(checksums.OrderBy(c => c.File, StringComparer.Ordinal).Select(c => $"{c.Sha256}  {c.File}\n"));
        using var stream = new HashingFileWriter(Path.Combine(dir, CheckpointFiles.Checksums));
        stream.Write(Encoding.UTF8.GetBytes(text));
        return stream.Finish();
    }

    // An earlier attempt at the same step (complete or not) is set aside under a name the store
    // recognises, not deleted, until the new one has its name.
    private static void Publish(string root, string temp, string final) =>
        DurableFiles.PublishDirectory(temp, final, Path.Combine(root, $"{CheckpointFiles.OldPrefix}{Path.GetFileName(final)}-{Guid.NewGuid():N}"));

    private static void WriteMarker(string final, long step, string checksumsSha256)
    {
        var path = Path.Combine(final, CheckpointFiles.Complete);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes($"step {step}\nchecksums.sha256 {checksumsSha256}\n"));
            stream.Flush(flushToDisk: true);
        }
        DurableFiles.FlushDirectory(final);
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
