namespace PolyGlot.Parquet.Format;

/// <summary>The file footer (parquet-format <c>FileMetaData</c>).</summary>
public sealed class FileMetaData
{
    /// <summary>Format version the writer declares (1 or 2).</summary>
    public int Version { get; set; } = 1;

    /// <summary>The schema tree flattened depth-first; element 0 is the root.</summary>
    public List<SchemaElement> Schema { get; set; } = [];

    /// <summary>Rows in the file.</summary>
    public long NumRows { get; set; }

    /// <summary>The row groups in file order.</summary>
    public List<RowGroup> RowGroups { get; set; } = [];

    /// <summary>Application key/value metadata (values may be null).</summary>
    public List<KeyValuePair<string, string?>> KeyValueMetadata { get; set; } = [];

    /// <summary>The writing application, e.g. "PolyGlot.Parquet version 1.0".</summary>
    public string? CreatedBy { get; set; }

    /// <summary>Whether the file declares column orders (required to trust min_value/max_value).</summary>
    public bool HasColumnOrders { get; set; }

    /// <summary>Whether the footer is encrypted or declares an encryption algorithm (not supported).</summary>
    public bool IsEncrypted { get; set; }
}

/// <summary>One node of the schema tree (parquet-format <c>SchemaElement</c>).</summary>
public sealed record SchemaElement
{
    /// <summary>Physical type; null for groups.</summary>
    public PhysicalType? Type { get; set; }

    /// <summary>Byte length of FIXED_LEN_BYTE_ARRAY values.</summary>
    public int? TypeLength { get; set; }

    /// <summary>Repetition; null only for the root.</summary>
    public Repetition? Repetition { get; set; }

    /// <summary>Field name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Number of children for groups; null for leaves.</summary>
    public int? NumChildren { get; set; }

    /// <summary>Legacy annotation.</summary>
    public ConvertedType? ConvertedType { get; set; }

    /// <summary>Decimal scale (legacy annotation).</summary>
    public int? Scale { get; set; }

    /// <summary>Decimal precision (legacy annotation).</summary>
    public int? Precision { get; set; }

    /// <summary>Field id, when the writer assigns them.</summary>
    public int? FieldId { get; set; }

    /// <summary>Logical annotation.</summary>
    public LogicalType? LogicalType { get; set; }
}

/// <summary>A horizontal slice of the rows (parquet-format <c>RowGroup</c>).</summary>
public sealed class RowGroup
{
    /// <summary>One chunk per leaf column, in schema order.</summary>
    public List<ColumnChunk> Columns { get; set; } = [];

    /// <summary>Uncompressed size of all column data.</summary>
    public long TotalByteSize { get; set; }

    /// <summary>Rows in this row group.</summary>
    public long NumRows { get; set; }

    /// <summary>Offset of the first page.</summary>
    public long? FileOffset { get; set; }

    /// <summary>Compressed size of all column data.</summary>
    public long? TotalCompressedSize { get; set; }

    /// <summary>Ordinal of the row group in the file.</summary>
    public short? Ordinal { get; set; }
}

/// <summary>Where a column chunk lives (parquet-format <c>ColumnChunk</c>).</summary>
public sealed class ColumnChunk
{
    /// <summary>A different file holding the data (not supported for reading).</summary>
    public string? FilePath { get; set; }

    /// <summary>Deprecated offset of the chunk's metadata.</summary>
    public long FileOffset { get; set; }

    /// <summary>The chunk's metadata.</summary>
    public ColumnMetaData? MetaData { get; set; }
}

/// <summary>Description of a column chunk (parquet-format <c>ColumnMetaData</c>).</summary>
public sealed class ColumnMetaData
{
    /// <summary>Physical type.</summary>
    public PhysicalType Type { get; set; }

    /// <summary>All encodings used in the chunk.</summary>
    public List<Encoding> Encodings { get; set; } = [];

    /// <summary>Path of the leaf from the root.</summary>
    public List<string> PathInSchema { get; set; } = [];

    /// <summary>Codec of every page.</summary>
    public CompressionCodec Codec { get; set; }

    /// <summary>Number of level entries (values including nulls).</summary>
    public long NumValues { get; set; }

    /// <summary>Uncompressed size of all pages including headers.</summary>
    public long TotalUncompressedSize { get; set; }

    /// <summary>Compressed size of all pages including headers.</summary>
    public long TotalCompressedSize { get; set; }

    /// <summary>Chunk key/value metadata.</summary>
    public List<KeyValuePair<string, string?>> KeyValueMetadata { get; set; } = [];

    /// <summary>Offset of the first data page.</summary>
    public long DataPageOffset { get; set; }

    /// <summary>Offset of the index page, if any.</summary>
    public long? IndexPageOffset { get; set; }

    /// <summary>Offset of the dictionary page, if any.</summary>
    public long? DictionaryPageOffset { get; set; }

    /// <summary>Chunk statistics.</summary>
    public Statistics? Statistics { get; set; }
}

/// <summary>Min/max/null count of a chunk or page (parquet-format <c>Statistics</c>), PLAIN-encoded bounds.</summary>
public sealed class Statistics
{
    /// <summary>Deprecated maximum (signed comparison).</summary>
    public byte[]? Max { get; set; }

    /// <summary>Deprecated minimum (signed comparison).</summary>
    public byte[]? Min { get; set; }

    /// <summary>Number of nulls.</summary>
    public long? NullCount { get; set; }

    /// <summary>Number of distinct values.</summary>
    public long? DistinctCount { get; set; }

    /// <summary>Maximum in the column's sort order.</summary>
    public byte[]? MaxValue { get; set; }

    /// <summary>Minimum in the column's sort order.</summary>
    public byte[]? MinValue { get; set; }
}

/// <summary>A page header (parquet-format <c>PageHeader</c> with its per-kind header flattened).</summary>
public sealed class PageHeader
{
    /// <summary>Kind of page.</summary>
    public PageType Type { get; set; }

    /// <summary>Size after decompression (v2: levels included).</summary>
    public int UncompressedPageSize { get; set; }

    /// <summary>Size in the file.</summary>
    public int CompressedPageSize { get; set; }

    /// <summary>Level entries (v1/v2) or dictionary entries (dictionary page).</summary>
    public int NumValues { get; set; }

    /// <summary>Encoding of the values.</summary>
    public Encoding Encoding { get; set; }

    /// <summary>v1: encoding of the definition levels.</summary>
    public Encoding DefinitionLevelEncoding { get; set; } = Encoding.Rle;

    /// <summary>v1: encoding of the repetition levels.</summary>
    public Encoding RepetitionLevelEncoding { get; set; } = Encoding.Rle;

    /// <summary>v2: number of nulls.</summary>
    public int NumNulls { get; set; }

    /// <summary>v2: number of rows.</summary>
    public int NumRows { get; set; }

    /// <summary>v2: bytes of definition levels (stored uncompressed).</summary>
    public int DefinitionLevelsByteLength { get; set; }

    /// <summary>v2: bytes of repetition levels (stored uncompressed).</summary>
    public int RepetitionLevelsByteLength { get; set; }

    /// <summary>v2: whether the values section is compressed.</summary>
    public bool IsCompressed { get; set; } = true;

    /// <summary>Whether the per-kind header was present.</summary>
    public bool HasKindHeader { get; set; }

    internal void Reset()
    {
        Type = default;
        UncompressedPageSize = CompressedPageSize = NumValues = NumNulls = NumRows = 0;
        DefinitionLevelsByteLength = RepetitionLevelsByteLength = 0;
        Encoding = default;
        DefinitionLevelEncoding = RepetitionLevelEncoding = Encoding.Rle;
        IsCompressed = true;
        HasKindHeader = false;
    }
}
