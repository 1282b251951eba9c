using System.Text.Json;
using System.Text.Json.Serialization;
using PolyGlot.Common.IO;

namespace PolyGlot.Data.Shards;

/// <summary>
/// The <c>manifest.json</c> of a prepared source directory: which shards it holds and what is in
/// them. It is written atomically and last, so a listed shard is a complete shard and a directory
/// without a manifest is not a finished source.
/// </summary>
public sealed class ShardManifest
{
    /// <summary>The file name of the manifest inside a source directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The value of <see cref="Format"/> that identifies a token shard manifest.</summary>
    public const string FormatName = "polyglot-token-shards";

    /// <summary>The manifest version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="FormatName"/>; guards against reading an unrelated JSON file.</summary>
    public string Format { get; set; } = FormatName;

    /// <summary>Manifest layout version (<see cref="CurrentVersion"/>).</summary>
    public int Version { get; set; } = CurrentVersion;

    /// <summary>The source name from the prepare config; also the <c>source</c> column of every row.</summary>
    public string Source { get; set; } = "";

    /// <summary><see cref="SourceKinds.Monolingual"/> or <see cref="SourceKinds.Bilingual"/>.</summary>
    public string Kind { get; set; } = SourceKinds.Monolingual;

    /// <summary>Language codes present (for bilingual sources the direction codes, e.g. <c>en-de</c>).</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>The template that formatted bilingual pairs into documents; null for monolingual sources.</summary>
    public string? Template { get; set; }

    /// <summary>The tokenizer the shards were made with.</summary>
    public TokenizerFingerprint Tokenizer { get; set; } = new();

    /// <summary>Documents (rows) over all shards.</summary>
    public long Documents { get; set; }

    /// <summary>Tokens over all shards, eos included.</summary>
    public long Tokens { get; set; }

    /// <summary>Tokens per language code over all shards.</summary>
    public SortedDictionary<string, long> TokensPerLanguage { get; set; } = new(StringComparer.Ordinal);

    /// <summary>UTF-8 bytes of the original text per language (the denominator of bits per byte).</summary>
    public SortedDictionary<string, long> BytesPerLanguage { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The shards in order.</summary>
    public List<ShardEntry> Shards { get; set; } = [];

    /// <summary>
    /// A fingerprint of the preparation settings (sources, template, shard size) that produced
    /// the directory; a re-run with different settings is detected by comparing it.
    /// </summary>
    public string? SettingsHash { get; set; }

    /// <summary>JSON options shared by reader and writer: snake_case names, indented output.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Reads and checks the manifest in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">The manifest is missing, malformed or of another format/version.</exception>
    public static ShardManifest Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new InvalidDataException(
                $"{path} does not exist: '{directory}' is not a finished prepared source. " +
                "Run `polyglot prepare` for it (an interrupted run resumes where it stopped).");
        ShardManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ShardManifest>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid manifest JSON ({e.Message}).", e);
        }
        if (manifest is null || manifest.Format != FormatName)
            throw new InvalidDataException(
                $"{path} is not a token shard manifest (expected \"format\": \"{FormatName}\").");
        if (manifest.Version != CurrentVersion)
            throw new InvalidDataException(
                $"{path} has manifest version {manifest.Version}; this build reads version {CurrentVersion}. " +
                "Re-run `polyglot prepare` with this build.");
        return manifest;
    }

    /// <summary>Writes the manifest into <paramref name="directory"/> atomically (temporary file + rename).</summary>
    public void Save(string directory) =>
        AtomicFile.WriteAllBytes(Path.Combine(directory, FileName),
            JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions));
}

/// <summary>One shard file as the manifest lists it.</summary>
public sealed class ShardEntry
{
    /// <summary>File name relative to the source directory, e.g. <c>shard-00000.parquet</c>.</summary>
    public string File { get; set; } = "";

    /// <summary>Rows (documents) in the shard.</summary>
    public long Documents { get; set; }

    /// <summary>Tokens in the shard, eos included.</summary>
    public long Tokens { get; set; }

    /// <summary>Tokens per language code in the shard.</summary>
    public SortedDictionary<string, long> TokensPerLanguage { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Lower-case hex SHA-256 of the shard file.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>The shard file name for index <paramref name="index"/>: <c>shard-00000.parquet</c>.</summary>
    public static string FileNameFor(int index) => $"shard-{index:D5}.parquet";
}

/// <summary>Identifies the tokenizer that produced a set of shards.</summary>
public sealed class TokenizerFingerprint
{
    /// <summary>Lower-case hex SHA-256 of the tokenizer's <c>.model</c> file.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Vocabulary size.</summary>
    public int VocabSize { get; set; }

    /// <summary>End-of-document id (terminates every row).</summary>
    public int EosId { get; set; }

    /// <summary>Beginning-of-document id.</summary>
    public int BosId { get; set; }

    /// <summary>Padding id.</summary>
    public int PadId { get; set; }
}

/// <summary>Values of <see cref="ShardManifest.Kind"/>.</summary>
public static class SourceKinds
{
    /// <summary>One language per document.</summary>
    public const string Monolingual = "monolingual";

    /// <summary>Documents formatted from translation pairs.</summary>
    public const string Bilingual = "bilingual";
}
