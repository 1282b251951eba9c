using PolyGlot.Data.Shards;
using PolyGlot.Parquet;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Data.Loading;

/// <summary>
/// Reads token shards written by <c>polyglot prepare</c>: only the <c>input_ids</c>
/// (list&lt;int32&gt;) and <c>lang</c> (string) columns, row group by row group. Stateless and
/// thread-safe, so the loader can read the next shard ahead on another thread.
/// </summary>
public sealed class ParquetShardReader : IShardReader
{
    // The shard contract's column names have one home, the writer.
    private const string TokenColumn = TokenShardWriter.InputIdsColumn;
    private const string LanguageColumn = TokenShardWriter.LangColumn;

    private const string Hint = "re-run `polyglot prepare` for this source (it rewrites damaged or missing shards)";

    /// <inheritdoc />
    public ShardDocuments Read(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"shard {path} does not exist; {Hint}.");
        try
        {
            using var reader = ParquetReader.Open(path);
            CheckColumns(reader);
            var groups = Enumerable.Range(0, reader.RowGroupCount)
                .Select(g => (Tokens: reader.ReadColumn(g, TokenColumn), Languages: reader.ReadColumn(g, LanguageColumn)))
                .ToList();
            return Assemble(path, groups);
        }
        catch (ParquetException e)
        {
            throw new InvalidDataException($"shard {path} cannot be read: {e.Message}; {Hint}.", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"shard {path} cannot be read: {e.Message}", e);
        }
    }

    private static void CheckColumns(ParquetReader reader)
    {
        var tokens = reader.Schema.IndexOf(TokenColumn) is var t and >= 0 ? reader.Schema.Columns[t] : null;
        var languages = reader.Schema.IndexOf(LanguageColumn) is var l and >= 0 ? reader.Schema.Columns[l] : null;
        if (tokens is not { IsList: true, PhysicalType: Parquet.Format.PhysicalType.Int32 } || languages is not { IsString: true, IsList: false })
            throw new InvalidDataException(
                $"shard {reader.Path} is not a token shard: it needs columns {TokenColumn} (list<int32>) and {LanguageColumn} (string); " +
                $"it has {string.Join(", ", reader.Schema.Columns)}; {Hint}.");
    }

    private static ShardDocuments Assemble(string path, List<(ColumnData Tokens, ColumnData Languages)> groups)
    {
        var documents = groups.Sum(g => g.Tokens.RowCount);
        var offsets = new int[documents + 1];
        var languages = new string[documents];
        // One row group (the usual case) is used in place; several are concatenated.
        var tokens = groups.Count == 1 ? groups[0].Tokens.Int32Values : new int[groups.Sum(g => (long)g.Tokens.ValueCount)];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        int row = 0, written = 0;
        foreach (var (ids, langs) in groups)
        {
            if (ids.ValueNulls is not null)
                throw new InvalidDataException($"shard {path} has a null token in {TokenColumn}; {Hint}.");
            if (groups.Count > 1)
                ids.Int32Span.CopyTo(tokens.AsSpan(written));
            for (var r = 0; r < ids.RowCount; r++, row++)
            {
                offsets[row + 1] = written + ids.Offsets![r + 1];
                var code = langs.GetString(r)
                           ?? throw new InvalidDataException($"shard {path} has a document without {LanguageColumn} (row {row}); {Hint}.");
                languages[row] = names.TryGetValue(code, out var shared) ? shared : names[code] = code;
            }
            written += ids.ValueCount;
        }
        return new ShardDocuments(path, tokens, offsets, languages);
    }
}
