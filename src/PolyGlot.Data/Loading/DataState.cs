using System.Text.Json;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Everything the loader needs to continue exactly where it stopped: the next step, the tokens
/// consumed, and per source its position (epoch, shard, document, token inside the document:
/// the packer's carry-over), its scheduler credit and its token count. A few hundred bytes of
/// JSON; saved with every checkpoint.
/// </summary>
public sealed class DataState
{
    /// <summary>The layout version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Layout version (<see cref="CurrentVersion"/>).</summary>
    public int Version { get; set; } = CurrentVersion;

    /// <summary>The data seed the state was produced with; a resume under another seed is refused.</summary>
    public ulong Seed { get; set; }

    /// <summary>
    /// The <c>data.shuffle</c> the state was produced with (states saved before the setting existed
    /// were produced with <c>documents</c>); a resume under another one is refused.
    /// </summary>
    public string Shuffle { get; set; } = ShuffleUnits.Documents;

    /// <summary>The global step whose batch comes next.</summary>
    public long Step { get; set; }

    /// <summary>Tokens delivered so far over all ranks (<c>steps x global_batch_size x (seq_len + 1)</c>).</summary>
    public long TokensConsumed { get; set; }

    /// <summary>Per-source positions and counters, in configuration order.</summary>
    public List<SourceState> Sources { get; set; } = [];

    /// <summary>Tokens delivered so far per language code.</summary>
    public SortedDictionary<string, long> TokensPerLanguage { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A deep copy.</summary>
    public DataState Clone() => new()
    {
        Version = Version,
        Seed = Seed,
        Shuffle = Shuffle,
        Step = Step,
        TokensConsumed = TokensConsumed,
        Sources = Sources.Select(s => s.Clone()).ToList(),
        TokensPerLanguage = new SortedDictionary<string, long>(TokensPerLanguage, StringComparer.Ordinal),
    };

    /// <summary>Serializes to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a state written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not a data state of this version.</exception>
    public static DataState FromJson(string json, string origin)
    {
        DataState? state;
        try
        {
            state = JsonSerializer.Deserialize<DataState>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: the data state is not valid JSON ({e.Message}).", e);
        }
        if (state is null || state.Version != CurrentVersion)
            throw new InvalidDataException(
                $"{origin}: data state version {state?.Version} cannot be read; this build reads version {CurrentVersion}.");
        return state;
    }
}

/// <summary>The position and counters of one source inside the data state.</summary>
public sealed class SourceState
{
    /// <summary>The source name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Completed passes over the source; the shuffle of the current pass is seeded by it.</summary>
    public long Epoch { get; set; }

    /// <summary>Index into the current epoch's shard order.</summary>
    public int ShardOrdinal { get; set; }

    /// <summary>Index into the current shard's document order.</summary>
    public int DocumentOrdinal { get; set; }

    /// <summary>Tokens of the current document already delivered (the packer's carry-over).</summary>
    public int TokenOffset { get; set; }

    /// <summary>The mixing scheduler's credit (see <c>DeficitScheduler</c>).</summary>
    public long Credit { get; set; }

    /// <summary>Tokens delivered from this source over all ranks.</summary>
    public long TokensConsumed { get; set; }

    /// <summary>A copy.</summary>
    public SourceState Clone() => (SourceState)MemberwiseClone();
}
