namespace PolyGlot.Data.Loading;

/// <summary>What a source's shuffle permutes inside a shard (<c>data.shuffle</c>).</summary>
public enum ShuffleUnit
{
    /// <summary>
    /// Every document of a shard in one random order (the default). A data-parallel rank still
    /// decodes only the row groups holding documents of its own rows, but with many documents per
    /// row group that is nearly every row group unless the world is large.
    /// </summary>
    Documents,

    /// <summary>
    /// The shard's row groups (about 16K tokens each) in a random order, and the documents of each
    /// row group in a random order. Consecutive rows then come from the same row group, so a rank
    /// decodes little beyond its own rows; the price is that documents written next to each other
    /// by <c>prepare</c> tend to land in the same global batch.
    /// </summary>
    RowGroups,
}

/// <summary>The configuration names of <see cref="ShuffleUnit"/>.</summary>
public static class ShuffleUnits
{
    /// <summary>The name of <see cref="ShuffleUnit.Documents"/>, the default.</summary>
    public const string Documents = "documents";

    /// <summary>The name of <see cref="ShuffleUnit.RowGroups"/>.</summary>
    public const string RowGroups = "row_groups";

    /// <summary>The value of <c>data.shuffle</c> for each unit.</summary>
    public static IReadOnlyDictionary<string, ShuffleUnit> ByName { get; } = new Dictionary<string, ShuffleUnit>(StringComparer.Ordinal)
    {
        [Documents] = ShuffleUnit.Documents,
        [RowGroups] = ShuffleUnit.RowGroups,
    };

    /// <summary>The configuration name of <paramref name="unit"/>.</summary>
    public static string NameOf(ShuffleUnit unit) => ByName.First(p => p.Value == unit).Key;
}
