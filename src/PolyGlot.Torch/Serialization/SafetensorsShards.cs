using System.Text.RegularExpressions;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// Writes a set of tensors as Hugging Face does: one <c>model.safetensors</c> when the data fits
/// the size limit, otherwise shards <c>model-00001-of-0000N.safetensors</c> plus
/// <c>model.safetensors.index.json</c> mapping every tensor to its shard.
/// </summary>
public static class SafetensorsShards
{
    /// <summary>Hugging Face's default shard size limit (5 GB, decimal).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>The index file name for <paramref name="baseName"/> (e.g. <c>model.safetensors.index.json</c>).</summary>
    public static string IndexFileName(string baseName = "model") => $"{baseName}.safetensors.index.json";

    /// <summary>The single-file name for <paramref name="baseName"/> (e.g. <c>model.safetensors</c>).</summary>
    public static string SingleFileName(string baseName = "model") => $"{baseName}.safetensors";

    /// <summary>
    /// Groups tensors into shards in order: a tensor joins the current shard unless that would take
    /// it past <paramref name="maxShardBytes"/>; a tensor larger than the limit gets a shard alone.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<SafetensorsTensorInfo>> Plan(IEnumerable<SafetensorsTensorInfo> tensors,
        long maxShardBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var shards = new List<IReadOnlyList<SafetensorsTensorInfo>>();
        var current = new List<SafetensorsTensorInfo>();
        long size = 0;
        foreach (var tensor in tensors)
        {
            if (current.Count > 0 && size + tensor.ByteLength > maxShardBytes)
            {
                shards.Add(current);
                current = [];
                size = 0;
            }
            current.Add(tensor);
            size += tensor.ByteLength;
        }
        if (current.Count > 0 || shards.Count == 0)
            shards.Add(current);
        return shards;
    }

    /// <summary>
    /// Writes <paramref name="payloads"/> into <paramref name="directory"/>; each shard is written
    /// atomically and the index last, so a reader never sees an index naming a missing shard.
    /// Files of an earlier write under the same base name (an index, a single file, shards of
    /// another count) are deleted afterwards, so none can shadow the new ones.
    /// Returns the file names written.
    /// </summary>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<SafetensorsPayload> payloads,
        long maxShardBytes = DefaultMaxShardBytes, IReadOnlyDictionary<string, string>? metadata = null,
        string baseName = "model")
    {
        Directory.CreateDirectory(directory);
        var byName = payloads.ToDictionary(p => p.Info.Name, StringComparer.Ordinal);
        var plan = Plan(payloads.Select(p => p.Info), maxShardBytes);
        if (plan.Count == 1)
        {
            var single = SingleFileName(baseName);
            SafetensorsPayload.Save(Path.Combine(directory, single), payloads, metadata);
            DeleteStale(directory, baseName, [single]);
            return [single];
        }

        var files = new List<string>();
        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < plan.Count; i++)
        {
            var file = $"{baseName}-{i + 1:D5}-of-{plan.Count:D5}.safetensors";
            var shard = plan[i].Select(info => byName[info.Name]).ToList();
            SafetensorsPayload.Save(Path.Combine(directory, file), shard, metadata);
            foreach (var info in plan[i])
                weightMap[info.Name] = file;
            files.Add(file);
        }
        var index = new SafetensorsIndex(payloads.Sum(p => p.Info.ByteLength), weightMap);
        var indexPath = Path.Combine(directory, IndexFileName(baseName));
        var temp = DurableFiles.TempPathFor(indexPath);
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(index.ToJson()));
            stream.Flush(flushToDisk: true);
        }
        DurableFiles.Publish(temp, indexPath);
        files.Add(IndexFileName(baseName));
        DeleteStale(directory, baseName, files);
        return files;
    }

    private static void DeleteStale(string directory, string baseName, IReadOnlyCollection<string> keep)
    {
        var shardPattern = new Regex(
            "^" + Regex.Escape(baseName) + @"-\d{5}-of-\d{5}\.safetensors$");
        foreach (var path in Directory.GetFiles(directory))
        {
            var name = Path.GetFileName(path);
            var ours = name == SingleFileName(baseName) || name == IndexFileName(baseName) || shardPattern.IsMatch(name);
            if (ours && !keep.Contains(name))
                File.Delete(path);
        }
    }
}
