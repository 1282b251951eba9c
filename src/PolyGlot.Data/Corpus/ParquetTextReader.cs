using System.Text;
using PolyGlot.Parquet;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Reading;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// Reads documents from a string column of a Parquet file (e.g. a Hugging Face datasets file),
/// row group by row group; null and blank values are skipped like blank lines.
/// </summary>
internal static class ParquetTextReader
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IEnumerable<CorpusDocument> Read(string file, CorpusSourceConfig source)
    {
        var reader = Open(file);
        var textColumn = RequireStringColumn(reader, source.TextField, "text_field");
        var langColumn = source.LangField is { } field && reader.Schema.IndexOf(field) >= 0
            ? RequireStringColumn(reader, field, "lang_field")
            : null;
        return ReadRows(reader, textColumn, langColumn, source);
    }

    private static IEnumerable<CorpusDocument> ReadRows(ParquetReader reader, string textColumn, string? langColumn, CorpusSourceConfig source)
    {
        using (reader)
        {
            long row = 0;
            for (var group = 0; group < reader.RowGroupCount; group++)
            {
                var texts = ReadColumn(reader, group, textColumn);
                var languages = langColumn is null ? null : ReadColumn(reader, group, langColumn);
                for (var i = 0; i < texts.RowCount; i++, row++)
                {
                    if (texts.IsNull(i))
                        continue;
                    var text = Decode(texts, i, reader.Path, row, textColumn);
                    if (string.IsNullOrWhiteSpace(text))
                        continue;
                    var lang = languages is null || languages.IsNull(i) ? source.Lang : Decode(languages, i, reader.Path, row, langColumn!);
                    yield return new CorpusDocument(text, lang
                        ?? throw new CorpusFormatException(reader.Path, $"row {row}",
                            $"no value in column '{langColumn}' and the source declares no lang; add one of the two"),
                        reader.Path, row, IsRow: true);
                }
            }
        }
    }

    private static ParquetReader Open(string file)
    {
        try
        {
            return ParquetReader.Open(file);
        }
        catch (ParquetException e)
        {
            throw new CorpusFormatException(file, null, $"not a readable Parquet file: {e.Message}", e);
        }
    }

    private static ColumnData ReadColumn(ParquetReader reader, int group, string column)
    {
        try
        {
            return reader.ReadColumn(group, column);
        }
        catch (ParquetException e)
        {
            throw new CorpusFormatException(reader.Path, $"row group {group}", $"column '{column}' cannot be read: {e.Message}", e);
        }
    }

    // Strings, or plain BYTE_ARRAY without annotation (older writers), whose UTF-8 is then checked per value.
    // Only this column (and the lang column) is ever read: published datasets carry nested metadata
    // (structs, maps, lists of structs) that is skipped, whatever its type.
    private static string RequireStringColumn(ParquetReader reader, string name, string key)
    {
        var problem = reader.Schema.IndexOf(name) < 0 ? MissingColumn(reader.Schema, name) : NotAString(reader.GetColumn(name));
        if (problem is null) return name;
        reader.Dispose();
        throw new CorpusFormatException(reader.Path, null, $"{problem}. Set {key} to a string column");
    }

    private static string MissingColumn(ParquetSchema schema, string name)
    {
        var fields = schema.Columns.Where(c => c.PathParts.Count > 1 && c.PathParts[0] == name).Select(c => c.Path).ToList();
        return fields.Count > 0
            ? $"column '{name}' is a struct (fields {string.Join(", ", fields)}), not a string"
            : $"no column '{name}'; its columns are {string.Join(", ", schema.Columns.Select(c => c.Name).Distinct())}";
    }

    private static string? NotAString(ParquetColumn column)
    {
        if (column.UnsupportedReason is { } reason) return $"column '{column.Name}' cannot be read as text because {reason}";
        if (column.IsList || column.PhysicalType != PhysicalType.ByteArray || !(column.IsString || column.LogicalType is null && column.ConvertedType is null))
            return $"column '{column.Name}' is {Describe(column)}, not a string";
        return null;
    }

    private static string Describe(ParquetColumn column) =>
        column.IsList ? $"a list of {column.PhysicalType}" : column.LogicalType?.Kind.ToString() ?? column.ConvertedType?.ToString() ?? column.PhysicalType.ToString();

    private static string Decode(ColumnData data, int index, string file, long row, string column)
    {
        try
        {
            return Strict.GetString(data.GetBytes(index));
        }
        catch (DecoderFallbackException e)
        {
            throw new CorpusFormatException(file, $"row {row}", $"column '{column}' holds invalid UTF-8 at byte {e.Index}", e);
        }
    }
}
