using System.Text.Json;
using PolyGlot.Common.IO;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// <c>progress.json</c>: the shards of an unfinished source that are complete, rewritten atomically
/// after each shard. A re-run continues after the last of them; the file is removed once the
/// manifest is written.
/// </summary>
public sealed class PrepareProgress
{
    /// <summary>File name inside the source directory.</summary>
    public const string FileName = "progress.json";

    /// <summary>Fingerprint of the settings and tokenizer the shards were made with.</summary>
    public string SettingsHash { get; set; } = "";

    /// <summary>Complete shards, in order.</summary>
    public List<ShardEntry> Shards { get; set; } = [];

    /// <summary>UTF-8 bytes per language of each shard's documents (parallel to <see cref="Shards"/>).</summary>
    public List<SortedDictionary<string, long>> ShardBytesPerLanguage { get; set; } = [];

    /// <summary>Reads the progress file of <paramref name="directory"/>, or null when there is none.</summary>
    public static PrepareProgress? TryLoad(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<PrepareProgress>(File.ReadAllBytes(path), ShardManifest.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}); delete it to prepare this source from the start.", e);
        }
    }

    /// <summary>Writes the progress file atomically.</summary>
    public void Save(string directory) =>
        AtomicFile.WriteAllBytes(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, ShardManifest.JsonOptions));
}
