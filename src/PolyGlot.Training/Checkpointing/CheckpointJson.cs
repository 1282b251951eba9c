using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>JSON settings shared by the checkpoint's JSON files (snake_case, indented).</summary>
internal static class CheckpointJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options)
                   ?? throw new CheckpointException(path, "the file holds JSON null");
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"the file is not valid JSON for {typeof(T).Name} ({e.Message})");
        }
    }
}
