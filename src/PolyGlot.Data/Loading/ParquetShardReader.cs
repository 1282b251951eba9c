using PolyGlot.Data.Shards;
using PolyGlot.Parquet;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Reads token shards written by <c>polyglot prepare</c>: the <c>num_tokens</c> and <c>lang</c>
/// columns of every row group at once, the <c>input_ids</c> (list&lt;int32&gt;) of a row group only
/// when one of its documents is used. Shards written before <c>num_tokens</c> existed are read
/// whole. Thread-safe, so the loader can read the next shard ahead on another thread.
/// </summary>
public sealed class ParquetShardReader : IShardReader
{
    // The shard contract's column names have one home, the writer.
    private const string TokenColumn = TokenShardWriter.InputIdsColumn;
    private const string LengthColumn = TokenShardWriter.NumTokensColumn;
    private const string LanguageColumn = TokenShardWriter.LangColumn;

    private const string Hint = "re-run `polyglot prepare` for this source (it rewrites damaged or missing shards)";

    private long _decodedTokens;

    /// <summary>Tokens decoded from <c>input_ids</c> so far by the shards this reader returned.</summary>
    public long DecodedTokens => Interlocked.Read(ref _decodedTokens);

    /// <inheritdoc />
    public ShardDocuments Read(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"shard {path} does not exist; {Hint}.");
        var reader = Guarded(path, () => ParquetReader.Open(path));
        // Closed here unless the documents returned keep it to decode their row groups later.
        var owned = reader;
        try
        {
            CheckColumns(reader);
            if (reader.RowGroupCount == 0)
                return new ShardDocuments(path, [], [0], []);
            if (reader.Schema.IndexOf(LengthColumn) < 0)
            {
                // Shards written before num_tokens existed: the lengths come from decoding the tokens.
                var whole = Guarded(path, () => ReadWhole(reader));
                Interlocked.Add(ref _decodedTokens, whole.TokenCount);
                return whole;
            }
            var (offsets, languages, blockFirstDocuments) = Guarded(path, () => Index(reader));
            var documents = new ShardDocuments(path, offsets, languages, blockFirstDocuments, new BlockReader(this, reader, offsets, blockFirstDocuments));
            // A one-block shard gains nothing from waiting (and then holds no open file).
            if (documents.BlockCount == 1)
                documents.DecodeAll();
            owned = null;
            return documents;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static void CheckColumns(ParquetReader reader)
    {
        var tokens = ColumnOrNull(reader, TokenColumn);
        var languages = ColumnOrNull(reader, LanguageColumn);
        var lengths = ColumnOrNull(reader, LengthColumn);
        if (tokens is not { IsList: true, PhysicalType: Parquet.Format.PhysicalType.Int32 } || languages is not { IsString: true, IsList: false }
            || lengths is not (null or { IsList: false, PhysicalType: Parquet.Format.PhysicalType.Int32 }))
            throw new InvalidDataException(
                $"shard {reader.Path} is not a token shard: it needs columns {TokenColumn} (list<int32>), {LanguageColumn} (string) " +
                $"and optionally {LengthColumn} (int32); it has {string.Join(", ", reader.Schema.Columns)}; {Hint}.");
    }

    private static ParquetColumn? ColumnOrNull(ParquetReader reader, string name) =>
        reader.Schema.IndexOf(name) is var i and >= 0 ? reader.Schema.Columns[i] : null;

    private static (int[] Offsets, string[] Languages, int[] BlockFirstDocuments) Index(ParquetReader reader)
    {
        var documents = checked((int)reader.RowCount);
        var offsets = new int[documents + 1];
        var languages = new string[documents];
        var blockFirstDocuments = new int[reader.RowGroupCount + 1];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var row = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            blockFirstDocuments[g] = row;
            var langs = reader.ReadColumn(g, LanguageColumn);
            var lengths = reader.ReadColumn(g, LengthColumn);
            for (var r = 0; r < langs.RowCount; r++, row++)
            {
                offsets[row + 1] = checked(offsets[row] + LengthOf(reader.Path, lengths, r, row));
                languages[row] = LanguageOf(reader.Path, langs, r, row, names);
            }
        }
        blockFirstDocuments[^1] = row;
        return (offsets, languages, blockFirstDocuments);
    }

    private static ShardDocuments ReadWhole(ParquetReader reader)
    {
        var groups = Enumerable.Range(0, reader.RowGroupCount)
            .Select(g => (Tokens: reader.ReadColumn(g, TokenColumn), Languages: reader.ReadColumn(g, LanguageColumn)))
            .ToList();
        var documents = groups.Sum(g => g.Tokens.RowCount);
        var offsets = new int[documents + 1];
        var languages = new string[documents];
        // One row group is used in place; several are concatenated.
        var tokens = groups.Count == 1 ? groups[0].Tokens.Int32Values : new int[groups.Sum(g => (long)g.Tokens.ValueCount)];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        int row = 0, written = 0;
        foreach (var (ids, langs) in groups)
        {
            if (ids.ValueNulls is not null)
                throw new InvalidDataException($"shard {reader.Path} has a null token in {TokenColumn}; {Hint}.");
            if (groups.Count > 1)
                ids.Int32Span.CopyTo(tokens.AsSpan(written));
            for (var r = 0; r < ids.RowCount; r++, row++)
            {
                offsets[row + 1] = written + ids.Offsets![r + 1];
                languages[row] = LanguageOf(reader.Path, langs, r, row, names);
            }
            written += ids.ValueCount;
        }
        return new ShardDocuments(reader.Path, tokens, offsets, languages);
    }

    // Documents share one string per language code.
    private static string LanguageOf(string path, ColumnData langs, int r, int row, Dictionary<string, string> names)
    {
        var code = langs.GetString(r) ?? throw new InvalidDataException($"shard {path} has a document without {LanguageColumn} (row {row}); {Hint}.");
        return names.TryGetValue(code, out var shared) ? shared : names[code] = code;
    }

    private static int LengthOf(string path, ColumnData lengths, int r, int row) =>
        lengths.IsNull(r) || lengths.Int32Values[r] < 0
            ? throw new InvalidDataException($"shard {path} has no valid {LengthColumn} in row {row}; {Hint}.")
            : lengths.Int32Values[r];

    private static T Guarded<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ParquetException e)
        {
            throw new InvalidDataException($"shard {path} cannot be read: {e.Message}; {Hint}.", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"shard {path} cannot be read: {e.Message}", e);
        }
        catch (OverflowException e)
        {
            throw new InvalidDataException($"shard {path} holds more than 2^31 tokens by its {LengthColumn} column; {Hint}.", e);
        }
    }

    /// <summary>Decodes one row group's token lists and checks them against the document lengths.</summary>
    private sealed class BlockReader(ParquetShardReader owner, ParquetReader reader, int[] offsets, int[] blockFirstDocuments) : IShardBlockReader
    {
        public int[] ReadBlock(int block, int expectedTokens)
        {
            var ids = Guarded(reader.Path, () => reader.ReadColumn(block, TokenColumn));
            if (ids.ValueNulls is not null)
                throw new InvalidDataException($"shard {reader.Path} has a null token in {TokenColumn}; {Hint}.");
            var first = blockFirstDocuments[block];
            // Rows first: the per-row check below indexes the lengths by row.
            if (ids.RowCount != blockFirstDocuments[block + 1] - first)
                throw new InvalidDataException($"shard {reader.Path}: row group {block} does not match its document lengths; {Hint}.");
            for (var r = 0; r < ids.RowCount; r++)
            {
                var length = ids.Offsets![r + 1] - ids.Offsets[r];
                if (length != offsets[first + r + 1] - offsets[first + r])
                    throw new InvalidDataException(
                        $"shard {reader.Path}: row {first + r} has {length} tokens in {TokenColumn} but {LengthColumn} says " +
                        $"{offsets[first + r + 1] - offsets[first + r]}; {Hint}.");
            }
            if (ids.ValueCount != expectedTokens)
                throw new InvalidDataException($"shard {reader.Path}: row group {block} does not match its document lengths; {Hint}.");
            Interlocked.Add(ref owner._decodedTokens, expectedTokens);
            return ids.Int32Values;
        }

        public void Dispose() => reader.Dispose();
    }
}
