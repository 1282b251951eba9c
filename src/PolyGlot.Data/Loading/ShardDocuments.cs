namespace PolyGlot.Data.Loading;

/// <summary>
/// The documents of one shard as flat arrays: all tokens concatenated, document offsets, and a
/// language code per document. One shard is the unit the loader holds in memory.
/// </summary>
public sealed class ShardDocuments
{
    /// <summary>
    /// Creates the shard view; <paramref name="offsets"/> has one entry more than there are
    /// documents; <paramref name="tokens"/> may be longer than the last offset (a reused buffer).
    /// </summary>
    /// <exception cref="InvalidDataException">The arrays are inconsistent.</exception>
    public ShardDocuments(string path, int[] tokens, int[] offsets, string[] languages)
    {
        if (offsets.Length != languages.Length + 1 || offsets[0] != 0 || offsets[^1] > tokens.Length)
            throw new InvalidDataException($"{path}: document offsets do not match the token and language columns.");
        Path = path;
        Tokens = tokens;
        Offsets = offsets;
        Languages = languages;
    }

    /// <summary>The shard file.</summary>
    public string Path { get; }

    /// <summary>All tokens, document after document (valid up to <c>Offsets[Count]</c>).</summary>
    public int[] Tokens { get; }

    /// <summary>Document i spans <c>Tokens[Offsets[i]..Offsets[i + 1]]</c>.</summary>
    public int[] Offsets { get; }

    /// <summary>The language code of each document.</summary>
    public string[] Languages { get; }

    /// <summary>Number of documents.</summary>
    public int Count => Languages.Length;

    /// <summary>The tokens of document <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> Document(int index) =>
        Tokens.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);
}

/// <summary>Reads a token shard file into memory.</summary>
public interface IShardReader
{
    /// <summary>Reads the <c>input_ids</c> and <c>lang</c> columns of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is missing, damaged or lacks the columns; the message names the file.</exception>
    ShardDocuments Read(string path);
}
