using PolyGlot.Common.IO;

namespace PolyGlot.Data.Shards;

/// <summary>
/// Lists the shard files of a finished prepared source, checked against its manifest, so that
/// a reader never opens a partial or foreign file.
/// </summary>
public static class ShardDirectory
{
    /// <summary>
    /// Loads the manifest of <paramref name="directory"/> and returns the full paths of its
    /// shards in order, after checking that each exists (and, when <paramref name="verifyHashes"/>
    /// is set, that its SHA-256 matches the manifest).
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest is missing/invalid or a shard is missing or altered.</exception>
    public static IReadOnlyList<string> ListShards(string directory, bool verifyHashes, out ShardManifest manifest)
    {
        manifest = ShardManifest.Load(directory);
        var paths = new List<string>(manifest.Shards.Count);
        foreach (var shard in manifest.Shards)
        {
            var path = Path.Combine(directory, shard.File);
            if (!File.Exists(path))
                throw new InvalidDataException(
                    $"{path} is listed in {Path.Combine(directory, ShardManifest.FileName)} but does not exist; " +
                    "re-run `polyglot prepare` for this source.");
            if (verifyHashes && !string.Equals(FileHash.Sha256Hex(path), shard.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"{path} does not match the SHA-256 recorded in its manifest (the file was changed or damaged); " +
                    "delete it and re-run `polyglot prepare` for this source.");
            paths.Add(path);
        }
        return paths;
    }
}
