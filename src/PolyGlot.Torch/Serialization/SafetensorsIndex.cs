using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// The <c>model.safetensors.index.json</c> of a sharded checkpoint, as Hugging Face writes it:
/// <c>{"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}</c>.
/// </summary>
/// <param name="TotalSize">Sum of the tensors' data bytes over all shards.</param>
/// <param name="WeightMap">Which shard file (a name in the same directory) holds each tensor.</param>
public sealed record SafetensorsIndex(long TotalSize, IReadOnlyDictionary<string, string> WeightMap)
{
    /// <summary>Renders the index as indented JSON, tensors in name order.</summary>
    public string ToJson()
    {
        var map = new JsonObject();
        foreach (var (name, file) in WeightMap.OrderBy(p => p.Key, StringComparer.Ordinal))
            map[name] = file;
        var root = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = TotalSize },
            ["weight_map"] = map,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Reads and checks an index file.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a valid index.</exception>
    public static SafetensorsIndex Load(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null, $"the index is not valid JSON ({e.Message})");
        }
        if (root?["weight_map"] is not JsonObject map)
            throw new SafetensorsFormatException(path, null, "the index has no 'weight_map' object");

        var weights = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, file) in map)
        {
            if (file is not JsonValue value || !value.TryGetValue<string>(out var shard) || !IsPlainFileName(shard))
                throw new SafetensorsFormatException(path, name, "the weight_map entry must name a shard file in the same directory");
            weights[name] = shard;
        }
        long total = 0;
        if (root["metadata"]?["total_size"] is JsonValue size && !size.TryGetValue(out total))
            total = (long)size.GetValue<double>();
        return new SafetensorsIndex(total, weights);
    }

    private static bool IsPlainFileName(string name) =>
        name.Length > 0 && name == Path.GetFileName(name) && name != "." && name != "..";
}
