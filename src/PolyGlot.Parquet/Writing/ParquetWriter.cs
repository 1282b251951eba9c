using System.Buffers.Binary;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Writing;

/// <summary>
/// Writes a Parquet file from columnar batches. Batches are buffered until they reach
/// <see cref="ParquetWriterOptions.RowGroupTargetBytes"/>, then written as one row group (a batch is never
/// split). The file appears under its name only after <see cref="Complete"/>: it is written to a
/// temporary file, flushed to disk and renamed; disposing without completing leaves no file.
/// <example>
/// <code>
/// var schema = new ParquetSchema(
///     ParquetColumn.List("input_ids", PhysicalType.Int32),
///     ParquetColumn.String("lang"));
/// using var writer = new ParquetWriter("shard.parquet", schema, new ParquetWriterOptions
/// {
///     KeyValueMetadata = new Dictionary&lt;string, string&gt; { ["tokenizer"] = "spm-256k" },
/// });
/// writer.Write(
///     ColumnData.FromInt32Lists(schema.Columns[0], tokens, offsets),   // rows: tokens[offsets[r]..offsets[r+1]]
///     ColumnData.FromStrings(schema.Columns[1], langs));
/// writer.Complete();
/// </code>
/// </example>
/// </summary>
public sealed class ParquetWriter : IDisposable
{
    private readonly AtomicFileStream _file;
    private readonly ParquetWriterOptions _options;
    private readonly List<ColumnData>[] _pending;
    private readonly List<RowGroup> _rowGroups = [];
    private long _pendingBytes;
    private long _rows;
    private bool _completed;

    /// <summary>Starts a file at <paramref name="path"/> (created or replaced on <see cref="Complete"/>).</summary>
    public ParquetWriter(string path, ParquetSchema schema, ParquetWriterOptions? options = null)
    {
        _options = options ?? new ParquetWriterOptions();
        _options.Validate();
        if (schema.Columns.Count == 0) throw new ArgumentException("a Parquet file needs at least one column", nameof(schema));
        Schema = BatchValidator.Normalize(schema);
        Path = path;
        _pending = schema.Columns.Select(_ => new List<ColumnData>()).ToArray();
        _file = new AtomicFileStream(path);
        _file.Stream.Write("PAR1"u8);
    }

    /// <summary>The file's schema.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>The target path.</summary>
    public string Path { get; }

    /// <summary>Rows written so far (buffered ones included).</summary>
    public long RowCount => _rows + (_pending[0].Count == 0 ? 0 : _pending[0].Sum(b => (long)b.RowCount));

    /// <summary>Row groups written so far.</summary>
    public int RowGroupCount => _rowGroups.Count;

    /// <summary>Adds a batch of rows: one <see cref="ColumnData"/> per schema column, in schema order, all with the same row count.</summary>
    /// <exception cref="ArgumentException">A batch does not match the schema (the message names the column and row).</exception>
    public void Write(params IReadOnlyList<ColumnData> columns)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        BatchValidator.Validate(Schema, columns);
        for (var c = 0; c < columns.Count; c++)
        {
            _pending[c].Add(columns[c]);
            _pendingBytes += EstimateBytes(columns[c]);
        }
        if (_pendingBytes >= _options.RowGroupTargetBytes) FlushRowGroup();
    }

    /// <summary>Writes any buffered rows as a row group now.</summary>
    public void FlushRowGroup()
    {
        if (_pending[0].Count == 0) return;
        var stream = _file.Stream;
        var start = stream.Position;
        var group = new RowGroup { FileOffset = start, Ordinal = (short)Math.Min(short.MaxValue, _rowGroups.Count) };
        for (var c = 0; c < _pending.Length; c++)
        {
            var data = ColumnDataConcat.Join(Schema.Columns[c], _pending[c]);
            group.NumRows = data.RowCount;
            ColumnChunk chunk;
            try
            {
                chunk = new ColumnChunkWriter(Schema.Columns[c], _options).Write(stream, data);
            }
            finally
            {
                ColumnDataConcat.Release(data, _pending[c].Count);
            }
            group.Columns.Add(chunk);
            group.TotalByteSize += chunk.MetaData!.TotalUncompressedSize;
            _pending[c].Clear();
        }
        group.TotalCompressedSize = stream.Position - start;
        _rows += group.NumRows;
        _rowGroups.Add(group);
        _pendingBytes = 0;
    }

    /// <summary>Writes the remaining rows and the footer, flushes to disk and moves the file to its name.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        FlushRowGroup();
        var footer = MetadataWriter.WriteFileMetaData(new FileMetaData
        {
            Version = _options.DataPageV2 ? 2 : 1,
            Schema = Schema.ToElements(),
            NumRows = _rows,
            RowGroups = _rowGroups,
            KeyValueMetadata = _options.KeyValueMetadata.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)).ToList(),
            CreatedBy = _options.CreatedBy,
            HasColumnOrders = true,
        });
        var stream = _file.Stream;
        stream.Write(footer);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, footer.Length);
        stream.Write(length);
        stream.Write("PAR1"u8);
        _file.Commit();
        _completed = true;
    }

    private static long EstimateBytes(ColumnData data) => data.Column.PhysicalType switch
    {
        PhysicalType.Int32 or PhysicalType.Float => 4L * data.ValueCount,
        PhysicalType.Int64 or PhysicalType.Double => 8L * data.ValueCount,
        PhysicalType.Boolean => data.ValueCount,
        _ => 4L * data.ValueCount + data.ByteOffsets[data.ValueCount] - data.ByteOffsets[0],
    } + data.RowCount;

    /// <summary>Discards the file unless <see cref="Complete"/> succeeded.</summary>
    public void Dispose()
    {
        _completed = true;
        _file.Dispose();
    }
}
