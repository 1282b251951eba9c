using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Thrift;

namespace PolyGlot.Parquet.Reading;

/// <summary>
/// Reads a Parquet file row group by row group, only the columns asked for; memory use is one row
/// group of those columns. Thread-safe for concurrent reads of different row groups.
/// <example>
/// <code>
/// using var reader = ParquetReader.Open("shard-00000.parquet");
/// for (var g = 0; g &lt; reader.RowGroupCount; g++)
/// {
///     var ids = reader.ReadColumn(g, "input_ids");   // list&lt;int32&gt;
///     var tokens = ids.Int32Values;                   // all tokens of the row group, flat
///     var offsets = ids.Offsets!;                     // row r: tokens[offsets[r] .. offsets[r + 1]]
/// }
/// </code>
/// </example>
/// </summary>
public sealed class ParquetReader : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;
    private readonly SafeFileHandle _file;
    private readonly long _length;

    private ParquetReader(string path, SafeFileHandle file, long length, FileMetaData metadata, ParquetSchema schema)
    {
        Path = path;
        _file = file;
        _length = length;
        Metadata = metadata;
        Schema = schema;
    }

    /// <summary>The file being read.</summary>
    public string Path { get; }

    /// <summary>The decoded footer (row groups, column chunks, statistics, key/value metadata).</summary>
    public FileMetaData Metadata { get; }

    /// <summary>The leaf columns.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>Rows in the file.</summary>
    public long RowCount => Metadata.NumRows;

    /// <summary>Number of row groups.</summary>
    public int RowGroupCount => Metadata.RowGroups.Count;

    /// <summary>The file's key/value metadata as a dictionary (later duplicates win).</summary>
    public IReadOnlyDictionary<string, string?> KeyValueMetadata =>
        Metadata.KeyValueMetadata.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    /// <summary>Opens a file and reads its footer.</summary>
    /// <exception cref="ParquetFormatException">The file is not valid Parquet (the message names the file and the problem).</exception>
    public static ParquetReader Open(string path)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var length = RandomAccess.GetLength(file);
            var metadata = ReadFooter(path, file, length);
            var schema = WithContext(path, null, null, () => ParquetSchema.FromElements(metadata.Schema));
            var reader = new ParquetReader(path, file, length, metadata, schema);
            reader.ValidateRowGroups();
            return reader;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The column with this name or dotted leaf path.</summary>
    /// <exception cref="ArgumentException">No such column (the message lists the columns).</exception>
    public ParquetColumn GetColumn(string name)
    {
        var index = Schema.IndexOf(name);
        if (index < 0)
            throw new ArgumentException($"'{Path}' has no column '{name}'; its columns are {string.Join(", ", Schema.Columns.Select(c => c.Name))}", nameof(name));
        return Schema.Columns[index];
    }

    /// <summary>Reads one column of one row group.</summary>
    /// <param name="rowGroup">Zero-based row group.</param>
    /// <param name="column">Column name (or dotted leaf path).</param>
    /// <param name="reuse">
    /// A result of an earlier call for the same column whose arrays may be reused (and are then
    /// overwritten): a loader passing its previous row group avoids allocating per row group.
    /// </param>
    /// <exception cref="ParquetFormatException">The column chunk is damaged (the message names file, row group and column).</exception>
    public ColumnData ReadColumn(int rowGroup, string column, ColumnData? reuse = null)
    {
        if ((uint)rowGroup >= (uint)RowGroupCount)
            throw new ArgumentOutOfRangeException(nameof(rowGroup), $"'{Path}' has {RowGroupCount} row groups; {rowGroup} does not exist");
        var descriptor = GetColumn(column);
        var leaf = Schema.IndexOf(descriptor.Path);
        var group = Metadata.RowGroups[rowGroup];
        return WithContext(Path, rowGroup, descriptor.Path, () =>
        {
            if (descriptor.UnsupportedReason is { } reason)
                throw new ParquetException($"'{Path}' column '{descriptor.Path}' cannot be read because {reason}; only flat columns and lists of primitives are supported");
            var meta = group.Columns[leaf].MetaData!;
            if (meta.Type != descriptor.PhysicalType)
                throw new ParquetFormatException($"chunk type {meta.Type} differs from the schema's {descriptor.PhysicalType}");
            var reusable = reuse is not null && reuse.Column.Path == descriptor.Path && reuse.Column.PhysicalType == descriptor.PhysicalType ? reuse : null;
            var bytes = ReadChunkBytes(meta);
            try
            {
                return new ColumnChunkDecoder(descriptor, meta, bytes, (int)meta.TotalCompressedSize, group.NumRows, reusable).Decode();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        });
    }

    private byte[] ReadChunkBytes(ColumnMetaData meta)
    {
        var start = meta.DictionaryPageOffset is { } dictionary and > 0 && dictionary < meta.DataPageOffset ? dictionary : meta.DataPageOffset;
        var size = meta.TotalCompressedSize;
        if (start < 4 || size < 0 || start + size > _length - 8)
            throw new ParquetFormatException($"column chunk at offset {start} of {size} bytes lies outside the data section ({_length} byte file)");
        if (size > Array.MaxLength) throw new ParquetFormatException($"column chunk of {size} bytes is too large to read");
        // Pooled: a loader reads chunks of similar size row group after row group.
        var buffer = ArrayPool<byte>.Shared.Rent((int)size);
        ReadExactly(buffer.AsSpan(0, (int)size), start);
        return buffer;
    }

    private void ReadExactly(Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(_file, buffer, offset);
            if (read == 0) throw new ParquetFormatException($"file ends at {offset} while reading");
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static FileMetaData ReadFooter(string path, SafeFileHandle file, long length)
    {
        if (length < 12) throw new ParquetFormatException(path, null, null, $"file is {length} bytes, too short for Parquet (at least 12)");
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        RandomAccess.Read(file, head, 0);
        RandomAccess.Read(file, tail, length - 8);
        if (!head.SequenceEqual(Magic) || !tail[4..].SequenceEqual(Magic))
        {
            var problem = tail[4..].SequenceEqual("PARE"u8)
                ? "file uses Parquet modular encryption, which is not supported"
                : "file does not start and end with the Parquet magic 'PAR1'";
            throw new ParquetFormatException(path, null, null, problem);
        }
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - 12)
            throw new ParquetFormatException(path, null, null, $"footer length {footerLength} does not fit the {length} byte file");
        var footer = GC.AllocateUninitializedArray<byte>(footerLength);
        RandomAccess.Read(file, footer, length - 8 - footerLength);
        var metadata = WithContext(path, null, null, () => MetadataReader.ReadFileMetaData(new CompactReader(footer, 0, footerLength)));
        if (metadata.IsEncrypted) throw new ParquetException($"'{path}' uses Parquet encryption, which is not supported");
        return metadata;
    }

    private void ValidateRowGroups()
    {
        long rows = 0;
        for (var g = 0; g < RowGroupCount; g++)
        {
            var group = Metadata.RowGroups[g];
            if (group.NumRows < 0) throw new ParquetFormatException(Path, g, null, $"row group claims {group.NumRows} rows");
            rows += group.NumRows;
            if (group.Columns.Count != Schema.Columns.Count)
                throw new ParquetFormatException(Path, g, null, $"row group has {group.Columns.Count} column chunks where the schema has {Schema.Columns.Count} columns");
            for (var c = 0; c < group.Columns.Count; c++)
            {
                var chunk = group.Columns[c];
                var name = Schema.Columns[c].Path;
                if (chunk.MetaData is null) throw new ParquetFormatException(Path, g, name, "column chunk has no metadata (encrypted or external columns are not supported)");
                if (chunk.FilePath is not null) throw new ParquetException($"'{Path}' row group {g} column '{name}' lives in another file ('{chunk.FilePath}'), which is not supported");
                if (chunk.MetaData.NumValues < group.NumRows || (!Schema.Columns[c].IsList && chunk.MetaData.NumValues != group.NumRows))
                    throw new ParquetFormatException(Path, g, name, $"column chunk holds {chunk.MetaData.NumValues} values for {group.NumRows} rows");
                if (chunk.MetaData.NumValues > int.MaxValue - 1)
                    throw new ParquetFormatException(Path, g, name, $"column chunk holds {chunk.MetaData.NumValues} values, more than one chunk can hold here");
            }
        }
        if (rows != Metadata.NumRows)
            throw new ParquetFormatException(Path, null, null, $"row groups hold {rows} rows where the footer says {Metadata.NumRows}");
    }

    // Lower layers report the problem; this adds the file, row group and column, and turns the
    // index/overflow errors that corrupt bytes can still provoke into format errors.
    private static T WithContext<T>(string path, int? rowGroup, string? column, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ParquetFormatException e) when (e.File is null)
        {
            throw new ParquetFormatException(path, rowGroup, column, e.Problem, e);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException or InvalidCastException)
        {
            throw new ParquetFormatException(path, rowGroup, column, $"corrupt data ({e.Message})", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();
}
