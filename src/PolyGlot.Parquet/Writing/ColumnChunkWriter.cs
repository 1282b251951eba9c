using System.Buffers;
using PolyGlot.Parquet.Compression;
using PolyGlot.Parquet.Encodings;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;

namespace PolyGlot.Parquet.Writing;

/// <summary>Writes one column chunk: optional dictionary page, then data pages cut at row boundaries.</summary>
internal sealed class ColumnChunkWriter
{
    private readonly ParquetColumn _column;
    private readonly ParquetWriterOptions _options;
    private readonly ChunkBuffers _buffers;
    private long _uncompressedTotal;
    private long _compressedTotal;

    /// <param name="column">The column whose chunk is written.</param>
    /// <param name="options">Layout and compression.</param>
    /// <param name="buffers">Scratch space, used only during <see cref="Write"/> and free again after it.</param>
    public ColumnChunkWriter(ParquetColumn column, ParquetWriterOptions options, ChunkBuffers buffers)
    {
        _column = column;
        _options = options;
        _buffers = buffers;
    }

    public ColumnChunk Write(Stream output, ColumnData data)
    {
        var dictionary = _column.PhysicalType == PhysicalType.ByteArray && _options.DictionaryForBinary
            ? BinaryDictionary.TryBuild(data, _options.DictionaryMaxBytes)
            : null;
        var valueEncoding = dictionary is not null ? Encoding.RleDictionary : PlainOrConfigured();
        var meta = new ColumnMetaData
        {
            Type = _column.PhysicalType,
            PathInSchema = [.. _column.PathParts],
            Codec = _options.Codec,
            NumValues = CountLevels(data),
            Statistics = _options.Statistics ? StatisticsBuilder.Build(data) : null,
        };
        var encodings = new SortedSet<Encoding> { Encoding.Rle, valueEncoding };
        if (dictionary is not null)
        {
            encodings.Add(Encoding.Plain);
            meta.DictionaryPageOffset = output.Position;
            _buffers.Values.ResetWrittenCount();
            dictionary.WritePlain(_buffers.Values);
            WritePage(output, new PageHeader { Type = PageType.DictionaryPage, NumValues = dictionary.Count, Encoding = Encoding.Plain }, [], _buffers.Values.WrittenSpan);
        }
        meta.DataPageOffset = output.Position;
        var row = 0;
        do
        {
            var end = NextPageEnd(data, row);
            WriteDataPage(output, data, row, end, valueEncoding, dictionary);
            row = end;
        }
        while (row < data.RowCount);
        meta.Encodings = [.. encodings];
        meta.TotalUncompressedSize = _uncompressedTotal;
        meta.TotalCompressedSize = _compressedTotal;
        return new ColumnChunk { FileOffset = meta.DictionaryPageOffset ?? meta.DataPageOffset, MetaData = meta };
    }

    private Encoding PlainOrConfigured() => _column.PhysicalType switch
    {
        PhysicalType.Int32 or PhysicalType.Int64 when _options.DeltaIntegers => Encoding.DeltaBinaryPacked,
        PhysicalType.ByteArray when _options.DeltaByteArrays => Encoding.DeltaByteArray,
        PhysicalType.ByteArray when _options.DeltaLengthByteArrays => Encoding.DeltaLengthByteArray,
        PhysicalType.Float or PhysicalType.Double when _options.ByteStreamSplitFloats => Encoding.ByteStreamSplit,
        _ => Encoding.Plain,
    };

    private long CountLevels(ColumnData data)
    {
        if (!_column.IsList) return data.RowCount;
        long levels = 0;
        for (var r = 0; r < data.RowCount; r++) levels += Math.Max(1, data.Offsets![r + 1] - data.Offsets[r]);
        return levels;
    }

    // Rows are added until the page's values reach the target size (at least one row per page).
    private int NextPageEnd(ColumnData data, int row)
    {
        long bytes = 0;
        var width = _column.PhysicalType switch
        {
            PhysicalType.Int32 or PhysicalType.Float => 4,
            PhysicalType.Int64 or PhysicalType.Double => 8,
            PhysicalType.Boolean => 1,
            _ => 0,
        };
        var end = row;
        while (end < data.RowCount && (end == row || bytes < _options.PageTargetBytes))
        {
            var (first, last) = Slots(data, end, end + 1);
            bytes += width > 0 ? (long)width * (last - first) + 1 : 4L * (last - first) + data.ByteOffsets[last] - data.ByteOffsets[first] + 1;
            end++;
        }
        return end;
    }

    private static (int First, int Last) Slots(ColumnData data, int rowStart, int rowEnd) =>
        data.Offsets is { } offsets ? (offsets[rowStart], offsets[rowEnd]) : (rowStart, rowEnd);

    private void WriteDataPage(Stream output, ColumnData data, int rowStart, int rowEnd, Encoding encoding, BinaryDictionary? dictionary)
    {
        var levelCount = BuildLevels(data, rowStart, rowEnd);
        var (first, last) = Slots(data, rowStart, rowEnd);
        var nulls = CountNullLevels(levelCount);
        _buffers.Levels.ResetWrittenCount();
        if (_options.DataPageV2)
        {
            var repLength = EncodeLevels(_buffers.Repetition, levelCount, _column.MaxRepetitionLevel, prefix: false);
            var defLength = EncodeLevels(_buffers.Definition, levelCount, _column.MaxDefinitionLevel, prefix: false);
            _buffers.Values.ResetWrittenCount();
            EncodeValues(data, first, last, encoding, dictionary, _buffers.Values);
            var header = new PageHeader
            {
                Type = PageType.DataPageV2, NumValues = levelCount, NumNulls = nulls, NumRows = rowEnd - rowStart, Encoding = encoding,
                RepetitionLevelsByteLength = repLength, DefinitionLevelsByteLength = defLength, IsCompressed = _options.Codec != CompressionCodec.Uncompressed,
            };
            WritePage(output, header, _buffers.Levels.WrittenSpan, _buffers.Values.WrittenSpan);
            return;
        }
        EncodeLevels(_buffers.Repetition, levelCount, _column.MaxRepetitionLevel, prefix: true);
        EncodeLevels(_buffers.Definition, levelCount, _column.MaxDefinitionLevel, prefix: true);
        // A v1 page is compressed as one block, so the values go straight after the levels (no copy).
        EncodeValues(data, first, last, encoding, dictionary, _buffers.Levels);
        WritePage(output, new PageHeader { Type = PageType.DataPage, NumValues = levelCount, Encoding = encoding }, [], _buffers.Levels.WrittenSpan);
    }

    private static void EncodeValues(ColumnData data, int first, int last, Encoding encoding, BinaryDictionary? dictionary, ArrayBufferWriter<byte> output)
    {
        if (dictionary is not null) dictionary.WriteIndices(data, first, last, output);
        else ValueEncoder.Encode(data, first, last, encoding, output);
    }

    private int CountNullLevels(int levelCount)
    {
        if (_column.MaxDefinitionLevel == 0) return 0;
        var max = (byte)_column.MaxDefinitionLevel;
        var span = _buffers.Definition.AsSpan(0, levelCount);
        return span.IndexOfAnyExcept(max) < 0 ? 0 : levelCount - span.Count(max);
    }

    private int EncodeLevels(byte[] levels, int count, int maxLevel, bool prefix)
    {
        if (maxLevel == 0) return 0;
        _buffers.Scratch.ResetWrittenCount();
        RleHybridEncoder.EncodeLevels(levels.AsSpan(0, count), RleHybridEncoder.BitWidth(maxLevel), _buffers.Scratch);
        if (prefix)
        {
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, _buffers.Scratch.WrittenCount);
            _buffers.Levels.Write(length);
        }
        _buffers.Levels.Write(_buffers.Scratch.WrittenSpan);
        return _buffers.Scratch.WrittenCount;
    }

    // Levels per the Dremel encoding: a null or empty list is one entry; each element is one entry.
    private int BuildLevels(ColumnData data, int rowStart, int rowEnd)
    {
        var (first, last) = Slots(data, rowStart, rowEnd);
        var capacity = last - first + (rowEnd - rowStart);
        if (_buffers.Definition.Length < capacity)
        {
            _buffers.Definition = new byte[capacity];
            _buffers.Repetition = new byte[capacity];
        }
        var maxDefinition = (byte)_column.MaxDefinitionLevel;
        if (!_column.IsList)
        {
            for (var r = rowStart; r < rowEnd; r++) _buffers.Definition[r - rowStart] = data.IsNull(r) ? (byte)0 : maxDefinition;
            return rowEnd - rowStart;
        }
        var offsets = data.Offsets!;
        var elementDefinition = (byte)_column.ElementDefinitionLevel;
        var n = 0;
        for (var r = rowStart; r < rowEnd; r++)
        {
            var count = offsets[r + 1] - offsets[r];
            if (count == 0)
            {
                _buffers.Repetition[n] = 0;
                _buffers.Definition[n++] = data.IsListNull(r) ? (byte)0 : (byte)(elementDefinition - 1);
                continue;
            }
            _buffers.Repetition.AsSpan(n, count).Fill(1);
            _buffers.Repetition[n] = 0;
            if (data.ValueNulls is null) _buffers.Definition.AsSpan(n, count).Fill(maxDefinition);
            else
                for (var i = 0; i < count; i++) _buffers.Definition[n + i] = data.IsNull(offsets[r] + i) ? elementDefinition : maxDefinition;
            n += count;
        }
        return n;
    }

    private void WritePage(Stream output, PageHeader header, ReadOnlySpan<byte> uncompressedPrefix, ReadOnlySpan<byte> body)
    {
        _buffers.Compressed.ResetWrittenCount();
        Codecs.Compress(_options.Codec, body, _options.CompressionLevel, _buffers.Compressed);
        var compressed = _buffers.Compressed.WrittenSpan;
        header.UncompressedPageSize = uncompressedPrefix.Length + body.Length;
        header.CompressedPageSize = uncompressedPrefix.Length + compressed.Length;
        var headerBytes = MetadataWriter.WritePageHeader(header);
        output.Write(headerBytes);
        output.Write(uncompressedPrefix);
        output.Write(compressed);
        _uncompressedTotal += headerBytes.Length + header.UncompressedPageSize;
        _compressedTotal += headerBytes.Length + header.CompressedPageSize;
    }
}
