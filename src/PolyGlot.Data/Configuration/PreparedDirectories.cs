using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Configuration;

/// <summary>
/// Finds the prepared source directories a <c>data.sources[].path</c> stands for: the directory
/// itself when it holds a <c>manifest.json</c>, otherwise each of its subdirectories that does
/// (the output root of <c>polyglot prepare</c>, one subdirectory per prepared source).
/// </summary>
public static class PreparedDirectories
{
    /// <summary>The prepared directories under <paramref name="path"/>, with their subdirectory name (null for the path itself).</summary>
    /// <exception cref="InvalidDataException">Neither the path nor any subdirectory holds a manifest; the message names the manifest expected.</exception>
    public static IReadOnlyList<(string Directory, string? Name)> Find(string path)
    {
        if (File.Exists(Path.Combine(path, ShardManifest.FileName)) || !Directory.Exists(path))
            return [(path, null)];
        var children = Directory.GetDirectories(path)
            .Where(d => File.Exists(Path.Combine(d, ShardManifest.FileName)))
            .Order(StringComparer.Ordinal)
            .Select(d => (d, (string?)Path.GetFileName(d)))
            .ToList();
        // No prepared subdirectory: report the manifest the path itself lacks.
        return children.Count > 0 ? children : [(path, null)];
    }
}
