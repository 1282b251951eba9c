using System.Buffers.Binary;
using System.Runtime.ExceptionServices;
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
        Append(EncodeRowGroup(_file.Stream, c => _pending[c]));
        foreach (var batches in _pending) batches.Clear();
        _pendingBytes = 0;
    }

    /// <summary>
    /// Writes each batch (one <see cref="ColumnData"/> per schema column, as for <see cref="Write"/>) as a row group of its
    /// own, encoding and compressing up to <paramref name="maxDegreeOfParallelism"/> of them at once. The file's bytes are
    /// exactly those of writing the batches one at a time, each followed by <see cref="FlushRowGroup"/>. Rows buffered
    /// by <see cref="Write"/> become a row group first. A batch is read until the call returns: do not change its
    /// lists or arrays meanwhile. Up to 8 x <paramref name="maxDegreeOfParallelism"/> compressed groups are held in
    /// memory at once.
    /// </summary>
    /// <exception cref="ArgumentException">A batch does not match the schema (the message names the column and row).</exception>
    public void WriteRowGroups(IEnumerable<IReadOnlyList<ColumnData>> rowGroups, int maxDegreeOfParallelism)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        FlushRowGroup();
        var window = new List<IReadOnlyList<ColumnData>>(WindowGroups(maxDegreeOfParallelism));
        foreach (var group in rowGroups)
        {
            window.Add(group);
            if (window.Count == window.Capacity)
            {
                EncodeAndAppend(0, window.Count, i => window[i], maxDegreeOfParallelism);
                window.Clear();
            }
        }
        EncodeAndAppend(0, window.Count, i => window[i], maxDegreeOfParallelism);
    }

    /// <summary>
    /// Writes <paramref name="count"/> row groups, group i being the batch <paramref name="rowGroup"/>(i) returns, as
    /// <see cref="WriteRowGroups(IEnumerable{IReadOnlyList{ColumnData}}, int)"/> does; the batches are built, checked,
    /// encoded and compressed on up to <paramref name="maxDegreeOfParallelism"/> threads, so only copying the finished
    /// groups into the file is left to the calling thread. <paramref name="rowGroup"/> is called once per group, from
    /// any of those threads. Up to 8 x <paramref name="maxDegreeOfParallelism"/> compressed groups are held in memory
    /// at once (as for the other overload).
    /// </summary>
    /// <exception cref="ArgumentException">A batch does not match the schema (the message names the column and row).</exception>
    public void WriteRowGroups(int count, Func<int, IReadOnlyList<ColumnData>> rowGroup, int maxDegreeOfParallelism)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        FlushRowGroup();
        var window = WindowGroups(maxDegreeOfParallelism);
        for (var first = 0; first < count; first += window)
            EncodeAndAppend(first, Math.Min(window, count - first), rowGroup, maxDegreeOfParallelism);
    }

    // Groups encoded per round: several per thread even out their sizes, while the encoded bytes held in memory stay bounded.
    private static int WindowGroups(int maxDegreeOfParallelism) => maxDegreeOfParallelism == 1 ? 1 : 8 * maxDegreeOfParallelism;

    // Encodes groups first .. first + count - 1 and appends them in order.
    private void EncodeAndAppend(int first, int count, Func<int, IReadOnlyList<ColumnData>> rowGroup, int maxDegreeOfParallelism)
    {
        if (count == 0) return;
        if (maxDegreeOfParallelism == 1 || count == 1)
        {
            for (var i = first; i < first + count; i++)
            {
                var group = Checked(rowGroup(i));
                Append(EncodeRowGroup(_file.Stream, c => [group[c]]));
            }
            return;
        }
        // Each group is encoded into memory with offsets counted from 0, then copied in order and its offsets moved to
        // where it lands: the same bytes and metadata as writing it in place.
        var encoded = new (MemoryStream Bytes, RowGroup Group)[count];
        var failures = new Exception?[count];
        // Every group of the round runs even after one fails, so that the earliest bad group is the one reported.
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
        {
            try
            {
                var group = Checked(rowGroup(first + i));
                var bytes = new MemoryStream();
                encoded[i] = (bytes, EncodeRowGroup(bytes, c => [group[c]]));
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        });
        // The failure of the earliest group, with its own type, as on one thread: the same input reports the same error
        // whatever the timing (callers tell user errors apart by type).
        if (Array.Find(failures, f => f is not null) is { } failure)
            ExceptionDispatchInfo.Throw(failure);
        foreach (var (bytes, group) in encoded)
        {
            MoveOffsets(group, _file.Stream.Position);
            bytes.WriteTo(_file.Stream);
            Append(group);
        }
    }

    private IReadOnlyList<ColumnData> Checked(IReadOnlyList<ColumnData> group)
    {
        BatchValidator.Validate(Schema, group);
        return group;
    }

    // Writes one row group's column chunks at the stream's position; the offsets recorded are the stream's.
    private RowGroup EncodeRowGroup(Stream stream, Func<int, IReadOnlyList<ColumnData>> batchesOfColumn)
    {
        var start = stream.Position;
        var group = new RowGroup { FileOffset = start };
        var buffers = ChunkBuffers.Rent();
        for (var c = 0; c < Schema.Columns.Count; c++)
        {
            var batches = batchesOfColumn(c);
            var data = ColumnDataConcat.Join(Schema.Columns[c], batches);
            group.NumRows = data.RowCount;
            ColumnChunk chunk;
            try
            {
                chunk = new ColumnChunkWriter(Schema.Columns[c], _options, buffers).Write(stream, data);
            }
            finally
            {
                ColumnDataConcat.Release(data, batches.Count);
            }
            group.Columns.Add(chunk);
            group.TotalByteSize += chunk.MetaData!.TotalUncompressedSize;
        }
        ChunkBuffers.Return(buffers);
        group.TotalCompressedSize = stream.Position - start;
        return group;
    }

    private void Append(RowGroup group)
    {
        group.Ordinal = (short)Math.Min(short.MaxValue, _rowGroups.Count);
        _rows += group.NumRows;
        _rowGroups.Add(group);
    }

    private static void MoveOffsets(RowGroup group, long by)
    {
        group.FileOffset += by;
        foreach (var chunk in group.Columns)
        {
            chunk.FileOffset += by;
            var meta = chunk.MetaData!;
            meta.DataPageOffset += by;
            meta.DictionaryPageOffset += by;
            meta.IndexPageOffset += by;
        }
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
