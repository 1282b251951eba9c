using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// The trainer's own state at the end of a step, saved as <c>trainer.json</c>: enough, with the
/// tensors, data and RNG state, to continue as if never stopped (including the loss guard).
/// </summary>
public sealed class TrainerState
{
    /// <summary>Optimizer steps completed; the resumed run starts with this step.</summary>
    public long Step { get; set; }

    /// <summary>Tokens trained on so far, over all ranks.</summary>
    public long TokensConsumed { get; set; }

    /// <summary>Tokens trained on per language code.</summary>
    public SortedDictionary<string, long> TokensPerLanguage { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Steps skipped by the loss guard so far.</summary>
    public long SkippedSteps { get; set; }

    /// <summary>Steps skipped in a row at the time of the checkpoint.</summary>
    public int ConsecutiveSkipped { get; set; }

    /// <summary>The accepted losses of the guard's window, oldest first (doubles round-trip exactly in JSON).</summary>
    public List<double> LossWindow { get; set; } = [];

    /// <summary>Training wall-clock time so far, in seconds.</summary>
    public double ElapsedSeconds { get; set; }
}

/// <summary>Random number generator state, saved as <c>rng.json</c> (byte arrays as base64).</summary>
public sealed class RngState
{
    /// <summary>The run's seed.</summary>
    public long Seed { get; set; }

    /// <summary>libtorch's CPU generator state (as <c>torch.get_rng_state()</c>).</summary>
    public byte[] TorchCpu { get; set; } = [];

    /// <summary>libtorch's CUDA generator state per device (empty on CPU).</summary>
    public List<byte[]> TorchCuda { get; set; } = [];
}

/// <summary>The checkpoint's manifest, <c>checkpoint.json</c>.</summary>
public sealed class CheckpointManifest
{
    /// <summary>The layout version this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Layout version.</summary>
    public int Version { get; set; } = CurrentVersion;

    /// <summary>The step the checkpoint was taken after.</summary>
    public long Step { get; set; }

    /// <summary>When it was written (UTC).</summary>
    public DateTime CreatedUtc { get; set; }

    /// <summary>
    /// The checkpoint holds model weights only (written by <c>polyglot import</c>): resuming from it
    /// takes the weights and starts at step 0 with a fresh optimizer, data and RNG state.
    /// </summary>
    public bool WeightsOnly { get; set; }

    /// <summary>What a resuming run must match.</summary>
    public CheckpointCompatibility Compatibility { get; set; } = new();
}

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
