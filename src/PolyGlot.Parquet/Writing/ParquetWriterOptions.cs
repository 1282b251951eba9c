using PolyGlot.Parquet.Format;

namespace PolyGlot.Parquet.Writing;

/// <summary>How <see cref="ParquetWriter"/> lays out and compresses a file. The defaults suit token shards.</summary>
public sealed record ParquetWriterOptions
{
    /// <summary>Page compression; ZSTD by default (SNAPPY, GZIP, LZ4_RAW, BROTLI and UNCOMPRESSED on request).</summary>
    public CompressionCodec Codec { get; init; } = CompressionCodec.Zstd;

    /// <summary>Compression level for ZSTD (1..22), GZIP (1 fastest, otherwise optimal) and BROTLI (0..11).</summary>
    public int CompressionLevel { get; init; } = 3;

    /// <summary>A row group is closed once its buffered (uncompressed) values reach this many bytes.</summary>
    public long RowGroupTargetBytes { get; init; } = 64L << 20;

    /// <summary>A page is closed once its values reach this many uncompressed bytes.</summary>
    public int PageTargetBytes { get; init; } = 1 << 20;

    /// <summary>Write DATA_PAGE_V2 pages (levels uncompressed) instead of v1 data pages.</summary>
    public bool DataPageV2 { get; init; }

    /// <summary>Dictionary-encode string/binary columns when the dictionary stays small and saves space.</summary>
    public bool DictionaryForBinary { get; init; } = true;

    /// <summary>Largest dictionary (bytes of distinct values) before a chunk falls back to plain values.</summary>
    public int DictionaryMaxBytes { get; init; } = 1 << 20;

    /// <summary>Encode INT32/INT64 values as DELTA_BINARY_PACKED instead of PLAIN.</summary>
    public bool DeltaIntegers { get; init; }

    /// <summary>Encode non-dictionary string/binary values as DELTA_LENGTH_BYTE_ARRAY instead of PLAIN.</summary>
    public bool DeltaLengthByteArrays { get; init; }

    /// <summary>Encode non-dictionary string/binary values as DELTA_BYTE_ARRAY (shared prefixes; takes precedence over <see cref="DeltaLengthByteArrays"/>).</summary>
    public bool DeltaByteArrays { get; init; }

    /// <summary>Encode FLOAT/DOUBLE values as BYTE_STREAM_SPLIT instead of PLAIN.</summary>
    public bool ByteStreamSplitFloats { get; init; }

    /// <summary>Write min/max/null-count statistics per column chunk.</summary>
    public bool Statistics { get; init; } = true;

    /// <summary>Key/value metadata stored in the footer.</summary>
    public IReadOnlyDictionary<string, string> KeyValueMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The writing application recorded in the footer.</summary>
    public string CreatedBy { get; init; } = "PolyGlot.Parquet version 1.0.0";

    internal void Validate()
    {
        if (RowGroupTargetBytes < 1) throw new ArgumentOutOfRangeException(nameof(RowGroupTargetBytes), RowGroupTargetBytes, "RowGroupTargetBytes must be at least 1");
        if (PageTargetBytes < 1) throw new ArgumentOutOfRangeException(nameof(PageTargetBytes), PageTargetBytes, "PageTargetBytes must be at least 1");
        if (!Enum.IsDefined(Codec) || Codec is CompressionCodec.Lzo or CompressionCodec.Lz4)
            throw new ArgumentException($"codec {Codec} cannot be written; use ZSTD, SNAPPY, GZIP, LZ4_RAW, BROTLI or UNCOMPRESSED", nameof(Codec));
    }
}
