namespace PolyGlot.Torch.Serialization;

/// <summary>
/// The tensors of a directory written by <see cref="SafetensorsShards"/>: either one
/// <c>model.safetensors</c> or the shards an index names. Every shard is validated on open, and
/// the index must match the shards exactly (no tensor missing, none unlisted).
/// </summary>
public sealed class SafetensorsCollection : IDisposable
{
    private readonly Dictionary<string, SafetensorsFile> _fileOf;
    private readonly List<SafetensorsFile> _files;

    private SafetensorsCollection(List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOf)
    {
        _files = files;
        _fileOf = fileOf;
    }

    /// <summary>Every tensor name, in shard and file order.</summary>
    public IEnumerable<string> Names => _files.SelectMany(f => f.Tensors.Select(t => t.Name));

    /// <summary>The opened files (one, or the shards in index order).</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>Opens the tensors of <paramref name="directory"/> named by <paramref name="baseName"/>.</summary>
    /// <exception cref="FileNotFoundException">Neither the single file nor the index exists.</exception>
    /// <exception cref="SafetensorsFormatException">A shard or the index is invalid or they disagree.</exception>
    public static SafetensorsCollection Open(string directory, string baseName = "model")
    {
        var indexPath = Path.Combine(directory, SafetensorsShards.IndexFileName(baseName));
        var singlePath = Path.Combine(directory, SafetensorsShards.SingleFileName(baseName));
        if (File.Exists(indexPath))
            return OpenSharded(indexPath, directory);
        if (File.Exists(singlePath))
        {
            var file = SafetensorsFile.Open(singlePath);
            return new SafetensorsCollection([file], file.Tensors.ToDictionary(t => t.Name, _ => file, StringComparer.Ordinal));
        }
        throw new FileNotFoundException(
            $"Neither {singlePath} nor {indexPath} exists; the directory holds no '{baseName}' safetensors weights.", singlePath);
    }

    /// <summary>The file that holds <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No shard holds it.</exception>
    public SafetensorsFile FileOf(string name) => _fileOf.TryGetValue(name, out var file)
        ? file
        : throw new KeyNotFoundException($"No tensor '{name}' in {string.Join(", ", _files.Select(f => f.Path))}.");

    /// <summary>True when some file holds <paramref name="name"/>.</summary>
    public bool Contains(string name) => _fileOf.ContainsKey(name);

    /// <summary>The entry of <paramref name="name"/>.</summary>
    public SafetensorsEntry Entry(string name) => FileOf(name).Entry(name);

    /// <summary>The bytes of <paramref name="name"/> (see <see cref="SafetensorsFile.GetBytes"/>).</summary>
    public ReadOnlySpan<byte> GetBytes(string name) => FileOf(name).GetBytes(name);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var file in _files)
            file.Dispose();
    }

    private static SafetensorsCollection OpenSharded(string indexPath, string directory)
    {
        var index = SafetensorsIndex.Load(indexPath);
        var files = new List<SafetensorsFile>();
        var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var shardName in index.WeightMap.Values.Distinct().Order(StringComparer.Ordinal))
            {
                var shardPath = Path.Combine(directory, shardName);
                if (!File.Exists(shardPath))
                    throw new SafetensorsFormatException(indexPath, null, $"shard '{shardName}' named by the index does not exist");
                var shard = SafetensorsFile.Open(shardPath);
                files.Add(shard);
                foreach (var entry in shard.Tensors)
                {
                    if (!index.WeightMap.TryGetValue(entry.Name, out var listed) || listed != shardName)
                        throw new SafetensorsFormatException(indexPath, entry.Name,
                            $"shard '{shardName}' holds the tensor but the index maps it to '{listed ?? "(nothing)"}'");
                    fileOf[entry.Name] = shard;
                }
            }
            foreach (var (name, shardName) in index.WeightMap)
            {
                if (!fileOf.ContainsKey(name))
                    throw new SafetensorsFormatException(indexPath, name, $"the index maps it to '{shardName}', which does not hold it");
            }
            return new SafetensorsCollection(files, fileOf);
        }
        catch
        {
            foreach (var file in files)
                file.Dispose();
            throw;
        }
    }
}
