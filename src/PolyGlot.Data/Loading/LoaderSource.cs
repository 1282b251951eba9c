namespace PolyGlot.Data.Loading;

/// <summary>
/// A source as the loader streams it: its shards, an optional language filter and its token
/// count (the n of temperature sampling; after the filter when there is one).
/// </summary>
/// <param name="Name">Unique source name (the key of its state).</param>
/// <param name="Group">The mixing group it belongs to.</param>
/// <param name="ShardPaths">Full paths of its shard files, in manifest order.</param>
/// <param name="Languages">Languages to keep, or null to keep every document.</param>
/// <param name="Tokens">Tokens the source holds (after the filter).</param>
public sealed record LoaderSource(
    string Name, string Group, IReadOnlyList<string> ShardPaths, IReadOnlySet<string>? Languages, long Tokens);
