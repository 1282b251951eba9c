namespace PolyGlot.Parquet.Format;

/// <summary>Physical storage type of a column (parquet-format <c>Type</c>).</summary>
public enum PhysicalType
{
    /// <summary>One bit per value.</summary>
    Boolean = 0,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 1,
    /// <summary>64-bit signed integer.</summary>
    Int64 = 2,
    /// <summary>Deprecated 12-byte timestamp; read as 12-byte binary values.</summary>
    Int96 = 3,
    /// <summary>IEEE 754 single precision.</summary>
    Float = 4,
    /// <summary>IEEE 754 double precision.</summary>
    Double = 5,
    /// <summary>Variable-length bytes (strings, binary).</summary>
    ByteArray = 6,
    /// <summary>Bytes of a length fixed by the schema.</summary>
    FixedLenByteArray = 7,
}

/// <summary>Whether a schema node is required, optional or repeated.</summary>
public enum Repetition
{
    /// <summary>Exactly one value.</summary>
    Required = 0,
    /// <summary>Zero or one value (nullable).</summary>
    Optional = 1,
    /// <summary>Zero or more values.</summary>
    Repeated = 2,
}

/// <summary>Value and level encodings (parquet-format <c>Encoding</c>).</summary>
public enum Encoding
{
    /// <summary>Values back to back.</summary>
    Plain = 0,
    /// <summary>Dictionary indices (Parquet 1.0 name).</summary>
    PlainDictionary = 2,
    /// <summary>RLE/bit-packed hybrid.</summary>
    Rle = 3,
    /// <summary>Deprecated MSB-first bit packing for levels.</summary>
    BitPacked = 4,
    /// <summary>Delta encoding of integers in bit-packed miniblocks.</summary>
    DeltaBinaryPacked = 5,
    /// <summary>Delta-encoded lengths followed by the bytes.</summary>
    DeltaLengthByteArray = 6,
    /// <summary>Prefix lengths and suffixes (incremental encoding).</summary>
    DeltaByteArray = 7,
    /// <summary>Dictionary indices (Parquet 2.0 name).</summary>
    RleDictionary = 8,
    /// <summary>The k bytes of each value split into k streams.</summary>
    ByteStreamSplit = 9,
}

/// <summary>Page compression codecs (parquet-format <c>CompressionCodec</c>).</summary>
public enum CompressionCodec
{
    /// <summary>No compression.</summary>
    Uncompressed = 0,
    /// <summary>Snappy (libsnappy).</summary>
    Snappy = 1,
    /// <summary>GZIP (RFC 1952).</summary>
    Gzip = 2,
    /// <summary>LZO (not supported).</summary>
    Lzo = 3,
    /// <summary>Brotli.</summary>
    Brotli = 4,
    /// <summary>Deprecated Hadoop-framed LZ4 (not supported; use LZ4_RAW).</summary>
    Lz4 = 5,
    /// <summary>Zstandard (libzstd).</summary>
    Zstd = 6,
    /// <summary>LZ4 block format (liblz4).</summary>
    Lz4Raw = 7,
}

/// <summary>Page kinds (parquet-format <c>PageType</c>).</summary>
public enum PageType
{
    /// <summary>Data page, version 1.</summary>
    DataPage = 0,
    /// <summary>Index page (unused by readers).</summary>
    IndexPage = 1,
    /// <summary>Dictionary page.</summary>
    DictionaryPage = 2,
    /// <summary>Data page, version 2.</summary>
    DataPageV2 = 3,
}

/// <summary>Legacy logical annotations (parquet-format <c>ConvertedType</c>).</summary>
public enum ConvertedType
{
    /// <summary>UTF-8 string.</summary>
    Utf8 = 0,
    /// <summary>Map.</summary>
    Map = 1,
    /// <summary>Map key/value group.</summary>
    MapKeyValue = 2,
    /// <summary>List.</summary>
    List = 3,
    /// <summary>Enum (bytes).</summary>
    Enum = 4,
    /// <summary>Decimal.</summary>
    Decimal = 5,
    /// <summary>Days since the epoch.</summary>
    Date = 6,
    /// <summary>Milliseconds since midnight.</summary>
    TimeMillis = 7,
    /// <summary>Microseconds since midnight.</summary>
    TimeMicros = 8,
    /// <summary>Milliseconds since the epoch.</summary>
    TimestampMillis = 9,
    /// <summary>Microseconds since the epoch.</summary>
    TimestampMicros = 10,
    /// <summary>Unsigned 8-bit.</summary>
    Uint8 = 11,
    /// <summary>Unsigned 16-bit.</summary>
    Uint16 = 12,
    /// <summary>Unsigned 32-bit.</summary>
    Uint32 = 13,
    /// <summary>Unsigned 64-bit.</summary>
    Uint64 = 14,
    /// <summary>Signed 8-bit.</summary>
    Int8 = 15,
    /// <summary>Signed 16-bit.</summary>
    Int16 = 16,
    /// <summary>Signed 32-bit.</summary>
    Int32 = 17,
    /// <summary>Signed 64-bit.</summary>
    Int64 = 18,
    /// <summary>JSON text.</summary>
    Json = 19,
    /// <summary>BSON document.</summary>
    Bson = 20,
    /// <summary>Interval.</summary>
    Interval = 21,
}
