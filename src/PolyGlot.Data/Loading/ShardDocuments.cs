namespace PolyGlot.Data.Loading;

/// <summary>
/// The documents of one shard. Document offsets and languages are always in memory; tokens are
/// held in blocks (a shard's row groups) and decoded on first use. Stepping over a row that
/// belongs to another data-parallel rank needs document lengths only, so a rank decodes just the
/// blocks that hold documents of its own rows. One shard is the unit the loader holds in memory.
/// </summary>
public sealed class ShardDocuments : IDisposable
{
    private readonly int[] _blockFirstDocuments;
    private readonly int[]?[] _blocks;
    private IShardBlockReader? _blockReader;
    private int _undecodedBlocks;
    private int _lastBlock;

    /// <summary>
    /// Creates a shard whose tokens are all in memory; <paramref name="offsets"/> has one entry more
    /// than there are documents; <paramref name="tokens"/> may be longer than the last offset (a reused buffer).
    /// </summary>
    /// <exception cref="InvalidDataException">The arrays are inconsistent.</exception>
    public ShardDocuments(string path, int[] tokens, int[] offsets, string[] languages)
        : this(path, offsets, languages, [0, languages.Length], blockReader: null)
    {
        if (offsets[^1] > tokens.Length)
            throw new InvalidDataException($"{path}: document offsets do not match the token and language columns.");
        _blocks[0] = tokens;
        _undecodedBlocks = 0;
    }

    /// <summary>
    /// Creates a shard whose tokens <paramref name="blockReader"/> decodes block by block on first
    /// use; block b holds documents <c>blockFirstDocuments[b] .. blockFirstDocuments[b + 1] - 1</c>.
    /// The shard owns the block reader.
    /// </summary>
    /// <exception cref="InvalidDataException">The arrays are inconsistent.</exception>
    public ShardDocuments(string path, int[] offsets, string[] languages, int[] blockFirstDocuments, IShardBlockReader? blockReader)
    {
        if (offsets.Length != languages.Length + 1 || offsets[0] != 0)
            throw new InvalidDataException($"{path}: document offsets do not match the token and language columns.");
        if (blockFirstDocuments.Length < 2 || blockFirstDocuments[0] != 0 || blockFirstDocuments[^1] != languages.Length
            || blockFirstDocuments.Zip(blockFirstDocuments.Skip(1)).Any(p => p.Second < p.First))
            throw new InvalidDataException($"{path}: the row groups do not cover the documents in order.");
        Path = path;
        Offsets = offsets;
        Languages = languages;
        _blockFirstDocuments = blockFirstDocuments;
        _blocks = new int[]?[blockFirstDocuments.Length - 1];
        _undecodedBlocks = _blocks.Length;
        _blockReader = blockReader;
    }

    /// <summary>The shard file.</summary>
    public string Path { get; }

    /// <summary>Document i spans tokens <c>Offsets[i] .. Offsets[i + 1] - 1</c> of the shard.</summary>
    public int[] Offsets { get; }

    /// <summary>The language code of each document.</summary>
    public string[] Languages { get; }

    /// <summary>Number of documents.</summary>
    public int Count => Languages.Length;

    /// <summary>Tokens in the shard.</summary>
    public int TokenCount => Offsets[^1];

    /// <summary>Blocks (row groups) the tokens are stored in.</summary>
    public int BlockCount => _blocks.Length;

    /// <summary>The first document of block <paramref name="block"/> (<see cref="BlockCount"/> gives <see cref="Count"/>).</summary>
    public int BlockStart(int block) => _blockFirstDocuments[block];

    /// <summary>Blocks decoded so far.</summary>
    public int DecodedBlocks => _blocks.Length - _undecodedBlocks;

    /// <summary>The number of tokens of document <paramref name="index"/>; decodes nothing.</summary>
    public int Length(int index) => Offsets[index + 1] - Offsets[index];

    /// <summary>The tokens of document <paramref name="index"/>, decoding its block if needed.</summary>
    /// <exception cref="InvalidDataException">The block cannot be read or disagrees with the document lengths.</exception>
    public ReadOnlySpan<int> Document(int index)
    {
        var block = BlockOf(index);
        var tokens = _blocks[block] ?? Decode(block);
        var start = Offsets[index] - Offsets[_blockFirstDocuments[block]];
        return tokens.AsSpan(start, Length(index));
    }

    /// <summary>Decodes every block not decoded yet (a rank that consumes the whole shard does this ahead of time).</summary>
    public void DecodeAll()
    {
        for (var block = 0; block < _blocks.Length; block++)
            if (_blocks[block] is null)
                Decode(block);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _blockReader?.Dispose();
        _blockReader = null;
    }

    private int BlockOf(int index)
    {
        if (index >= _blockFirstDocuments[_lastBlock] && index < _blockFirstDocuments[_lastBlock + 1])
            return _lastBlock;
        var found = Array.BinarySearch(_blockFirstDocuments, index);
        // An exact hit may be the start of empty blocks; the document lies in the last block starting there.
        var block = found >= 0 ? found : ~found - 1;
        while (block + 1 < _blocks.Length && _blockFirstDocuments[block + 1] <= index)
            block++;
        _lastBlock = block;
        return block;
    }

    private int[] Decode(int block)
    {
        var reader = _blockReader ?? throw new ObjectDisposedException(Path, "the shard's tokens were released");
        var expected = Offsets[_blockFirstDocuments[block + 1]] - Offsets[_blockFirstDocuments[block]];
        var tokens = reader.ReadBlock(block, expected);
        if (tokens.Length < expected)
            throw new InvalidDataException($"{Path}: row group {block} holds {tokens.Length} tokens where its document lengths add up to {expected}.");
        _blocks[block] = tokens;
        // Once everything is in memory the file is no longer needed.
        if (--_undecodedBlocks == 0)
            Dispose();
        return tokens;
    }
}

/// <summary>Decodes the tokens of one block (row group) of a shard.</summary>
public interface IShardBlockReader : IDisposable
{
    /// <summary>
    /// Returns the tokens of block <paramref name="block"/>, which its documents' lengths say are
    /// <paramref name="expectedTokens"/> (the array may be longer).
    /// </summary>
    /// <exception cref="InvalidDataException">The block cannot be read or holds another number of tokens; the message names the file.</exception>
    int[] ReadBlock(int block, int expectedTokens);
}

/// <summary>Reads a token shard file.</summary>
public interface IShardReader
{
    /// <summary>
    /// Reads the document lengths and <c>lang</c> column of <paramref name="path"/>; the tokens
    /// (<c>input_ids</c>) are decoded when first used. Dispose the result to release the file.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is missing, damaged or lacks the columns; the message names the file.</exception>
    ShardDocuments Read(string path);
}
