using System.Buffers;
using System.Buffers.Binary;
using PolyGlot.Parquet.Compression;
using PolyGlot.Parquet.Encodings;
using PolyGlot.Parquet.Format;
using PolyGlot.Parquet.Schema;
using PolyGlot.Parquet.Thrift;

namespace PolyGlot.Parquet.Reading;

/// <summary>
/// Decodes one column chunk (all its pages) into a <see cref="ColumnData"/>. Page headers are scanned
/// first so that every allocation is sized by counts checked against the chunk's metadata.
/// </summary>
internal sealed class ColumnChunkDecoder
{
    private readonly ParquetColumn _column;
    private readonly ColumnMetaData _meta;
    private readonly byte[] _chunk;
    private readonly long _rows;
    private byte[] _page = [];
    private byte[] _repetition = [];
    private byte[] _definition = [];
    private bool[] _isNull = [];
    private ColumnBuilder? _dictionary;
    private ColumnBuilder _output = null!;
    private int _slot;
    private int _row;

    private readonly ColumnData? _reuse;
    private readonly int _chunkLength;
    private readonly CompactReader _headerReader;
    private int[] _pageStarts = [];

    public ColumnChunkDecoder(ParquetColumn column, ColumnMetaData meta, byte[] chunk, int chunkLength, long rows, ColumnData? reuse)
    {
        _chunkLength = chunkLength;
        _headerReader = new CompactReader(chunk, 0, chunkLength);
        _reuse = reuse;
        _column = column;
        _meta = meta;
        _chunk = chunk;
        _rows = rows;
    }

    public ColumnData Decode()
    {
        try
        {
            return DecodePages();
        }
        finally
        {
            ReturnPageBuffer();
            ReturnLevelBuffers();
            ReturnPageStarts();
        }
    }

    private void ReturnPageBuffer()
    {
        if (_page.Length > 0) ArrayPool<byte>.Shared.Return(_page);
        _page = [];
    }

    private ColumnData DecodePages()
    {
        var pages = ScanPages();
        var header = new PageHeader();
        if (_rows > int.MaxValue - 1) throw new ParquetFormatException($"row group of {_rows} rows is too large");
        var capacity = (int)_meta.NumValues;
        if (_rows > _meta.NumValues) throw new ParquetFormatException($"row group of {_rows} rows has only {_meta.NumValues} values in this column");
        var oldOffsets = _reuse?.Offsets;
        _output = new ColumnBuilder(_column, capacity, _reuse);
        if (_column.IsList) _output.Data.Offsets = oldOffsets is not null && oldOffsets.Length >= _rows + 1 ? oldOffsets : new int[_rows + 1];
        for (var p = 0; p < pages; p++)
        {
            // Headers were checked by the scan; reading the same bytes again gives the same header.
            _headerReader.MoveTo(_pageStarts[p]);
            MetadataReader.ReadPageHeader(_headerReader, header);
            var body = _chunk.AsSpan(_headerReader.Position, header.CompressedPageSize);
            switch (header.Type)
            {
                case PageType.DictionaryPage: ReadDictionary(header, body); break;
                case PageType.DataPage: ReadDataPageV1(header, body); break;
                case PageType.DataPageV2: ReadDataPageV2(header, body); break;
            }
        }
        if (_row != _rows) throw new ParquetFormatException($"pages hold {_row} rows where the row group has {_rows}");
        return _output.Finish((int)_rows, _slot);
    }

    // Checks every page header against the chunk before anything is sized and records where the
    // headers start; one reader and one header object serve all pages, so many small pages allocate nothing.
    private int ScanPages()
    {
        var pages = 0;
        var header = new PageHeader();
        var position = 0;
        long values = 0;
        while (values < _meta.NumValues)
        {
            if (position >= _chunkLength)
                throw new ParquetFormatException($"column chunk ends after {values} of {_meta.NumValues} values");
            var start = position;
            _headerReader.MoveTo(position);
            MetadataReader.ReadPageHeader(_headerReader, header);
            position = _headerReader.Position;
            if (header.CompressedPageSize < 0 || header.CompressedPageSize > _chunkLength - position)
                throw new ParquetFormatException($"page of {header.CompressedPageSize} bytes exceeds the column chunk ({_chunkLength - position} bytes left)");
            if (header.UncompressedPageSize < 0 || header.UncompressedPageSize > _meta.TotalUncompressedSize)
                throw new ParquetFormatException($"page claims {header.UncompressedPageSize} uncompressed bytes, more than the chunk's {_meta.TotalUncompressedSize}");
            if (header.Type is PageType.DataPage or PageType.DataPageV2 or PageType.DictionaryPage && !header.HasKindHeader)
                throw new ParquetFormatException($"{header.Type} header lacks its page-kind section");
            if (header.NumValues < 0) throw new ParquetFormatException($"page claims {header.NumValues} values");
            if (header.Type is PageType.DataPage or PageType.DataPageV2)
            {
                values += header.NumValues;
                if (values > _meta.NumValues) throw new ParquetFormatException($"pages hold more values than the chunk's {_meta.NumValues}");
            }
            // A PLAIN dictionary value takes at least one byte (a bit for booleans), which bounds its array.
            var maxDictionaryValues = _column.PhysicalType == PhysicalType.Boolean ? header.UncompressedPageSize * 8L : header.UncompressedPageSize;
            if (header.Type == PageType.DictionaryPage && header.NumValues > maxDictionaryValues)
                throw new ParquetFormatException($"dictionary page claims {header.NumValues} values in {header.UncompressedPageSize} bytes");
            if (header.Type != PageType.IndexPage) AddPageStart(pages++, start);
            position += header.CompressedPageSize;
        }
        return pages;
    }

    private void AddPageStart(int index, int start)
    {
        if (index == _pageStarts.Length)
        {
            var grown = ArrayPool<int>.Shared.Rent(Math.Max(64, index * 2));
            _pageStarts.AsSpan(0, index).CopyTo(grown);
            ReturnPageStarts();
            _pageStarts = grown;
        }
        _pageStarts[index] = start;
    }

    private void ReturnPageStarts()
    {
        if (_pageStarts.Length > 0) ArrayPool<int>.Shared.Return(_pageStarts);
        _pageStarts = [];
    }

    private ReadOnlySpan<byte> Decompress(ReadOnlySpan<byte> body, int uncompressedSize)
    {
        if (_meta.Codec == CompressionCodec.Uncompressed)
        {
            if (body.Length != uncompressedSize)
                throw new ParquetFormatException($"uncompressed page is {body.Length} bytes where the header says {uncompressedSize}");
            return body;
        }
        if (_page.Length < uncompressedSize)
        {
            ReturnPageBuffer();
            _page = ArrayPool<byte>.Shared.Rent(uncompressedSize);
        }
        Codecs.Decompress(_meta.Codec, body, _page.AsSpan(0, uncompressedSize));
        return _page.AsSpan(0, uncompressedSize);
    }

    private void ReadDictionary(PageHeader header, ReadOnlySpan<byte> body)
    {
        if (_dictionary is not null) throw new ParquetFormatException("column chunk has two dictionary pages");
        if (header.Encoding is not (Encoding.Plain or Encoding.PlainDictionary))
            throw new ParquetFormatException($"dictionary page encoding {header.Encoding} is not PLAIN");
        var data = Decompress(body, header.UncompressedPageSize);
        _dictionary = new ColumnBuilder(_column, header.NumValues);
        ValueDecoder.DecodePlain(data, header.NumValues, _dictionary, 0);
        _dictionary.Finish(header.NumValues, header.NumValues);
    }

    private void ReadDataPageV1(PageHeader header, ReadOnlySpan<byte> body)
    {
        var data = Decompress(body, header.UncompressedPageSize);
        var n = header.NumValues;
        EnsureLevelBuffers(n);
        var position = 0;
        if (_column.MaxRepetitionLevel > 0)
            position += ReadLevelsV1(data[position..], header.RepetitionLevelEncoding, _column.MaxRepetitionLevel, _repetition.AsSpan(0, n));
        if (_column.MaxDefinitionLevel > 0)
            position += ReadLevelsV1(data[position..], header.DefinitionLevelEncoding, _column.MaxDefinitionLevel, _definition.AsSpan(0, n));
        Assemble(header.Encoding, data[position..], n);
    }

    private void ReadDataPageV2(PageHeader header, ReadOnlySpan<byte> body)
    {
        var n = header.NumValues;
        var repLength = header.RepetitionLevelsByteLength;
        var defLength = header.DefinitionLevelsByteLength;
        if (repLength < 0 || defLength < 0 || (long)repLength + defLength > body.Length || (long)repLength + defLength > header.UncompressedPageSize)
            throw new ParquetFormatException($"data page v2 level sections ({repLength} + {defLength} bytes) exceed the page");
        EnsureLevelBuffers(n);
        if (_column.MaxRepetitionLevel > 0)
            RleHybridDecoder.DecodeLevels(body[..repLength], BitWidth(_column.MaxRepetitionLevel), _repetition.AsSpan(0, n));
        if (_column.MaxDefinitionLevel > 0)
            RleHybridDecoder.DecodeLevels(body.Slice(repLength, defLength), BitWidth(_column.MaxDefinitionLevel), _definition.AsSpan(0, n));
        var values = body[(repLength + defLength)..];
        var valuesSize = header.UncompressedPageSize - repLength - defLength;
        var data = header.IsCompressed ? Decompress(values, valuesSize) : values;
        Assemble(header.Encoding, data, n);
    }

    private int ReadLevelsV1(ReadOnlySpan<byte> data, Encoding encoding, int maxLevel, Span<byte> levels)
    {
        var bitWidth = BitWidth(maxLevel);
        if (encoding == Encoding.BitPacked)
        {
            var bytes = (int)(((long)levels.Length * bitWidth + 7) / 8);
            if (bytes > data.Length) throw new ParquetFormatException("BIT_PACKED levels exceed the page");
            LegacyBitPacked.Decode(data[..bytes], bitWidth, levels);
            return bytes;
        }
        if (encoding != Encoding.Rle) throw new ParquetFormatException($"level encoding {encoding} is not RLE or BIT_PACKED");
        if (data.Length < 4) throw new ParquetFormatException("page ends before its level length");
        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4) throw new ParquetFormatException($"level section of {length} bytes exceeds the page");
        RleHybridDecoder.DecodeLevels(data.Slice(4, length), bitWidth, levels);
        return 4 + length;
    }

    // Pooled like the page buffer: a chunk that is one large page would otherwise allocate three
    // arrays of its value count on every read.
    private void EnsureLevelBuffers(int n)
    {
        if (_definition.Length >= n) return;
        ReturnLevelBuffers();
        _definition = ArrayPool<byte>.Shared.Rent(n);
        _repetition = ArrayPool<byte>.Shared.Rent(n);
        _isNull = ArrayPool<bool>.Shared.Rent(n);
    }

    private void ReturnLevelBuffers()
    {
        if (_definition.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_definition);
        ArrayPool<byte>.Shared.Return(_repetition);
        ArrayPool<bool>.Shared.Return(_isNull);
        _definition = _repetition = [];
        _isNull = [];
    }

    private void Assemble(Encoding encoding, ReadOnlySpan<byte> values, int n)
    {
        if (_column.IsList) AssembleList(encoding, values, n);
        else AssembleFlat(encoding, values, n);
    }

    private void AssembleFlat(Encoding encoding, ReadOnlySpan<byte> values, int n)
    {
        if (_row + (long)n > _rows) throw new ParquetFormatException($"pages hold more than the row group's {_rows} rows");
        var maxDefinition = (byte)_column.MaxDefinitionLevel;
        var definition = _definition.AsSpan(0, n);
        var dense = n;
        if (maxDefinition > 0 && definition.IndexOfAnyExcept(maxDefinition) >= 0)
        {
            dense = 0;
            for (var i = 0; i < n; i++)
            {
                _isNull[i] = definition[i] != maxDefinition;
                if (!_isNull[i]) dense++;
            }
        }
        ValueDecoder.Decode(encoding, values, dense, _output, _slot, _dictionary);
        _output.Spread(_slot, dense, _isNull.AsSpan(0, n));
        _slot += n;
        _row += n;
    }

    private void AssembleList(Encoding encoding, ReadOnlySpan<byte> values, int n)
    {
        if (n > 0 && _repetition[0] != 0 && _slot == 0 && _row == 0)
            throw new ParquetFormatException("the first list entry does not start a row (repetition level is not 0)");
        var definition = _definition.AsSpan(0, n);
        var repetition = _repetition.AsSpan(0, n);
        var offsets = _output.Data.Offsets!;
        var maxDefinition = (byte)_column.MaxDefinitionLevel;
        if (definition.IndexOfAnyExcept(maxDefinition) < 0)
        {
            AssembleFullList(encoding, values, repetition, offsets);
            return;
        }
        var elementDefinition = _column.ElementDefinitionLevel;
        var listDefinition = elementDefinition - 1;
        var slots = 0;
        var dense = 0;
        for (var i = 0; i < n; i++)
        {
            if (repetition[i] == 0) StartRow(offsets, _slot + slots, definition[i] < listDefinition);
            if (definition[i] < elementDefinition) continue;
            var isNull = definition[i] != maxDefinition;
            _isNull[slots++] = isNull;
            if (!isNull) dense++;
        }
        ValueDecoder.Decode(encoding, values, dense, _output, _slot, _dictionary);
        _output.Spread(_slot, dense, _isNull.AsSpan(0, slots));
        _slot += slots;
        offsets[_row] = _slot;
    }

    // Every entry is a present, non-null element: values are dense, rows start where repetition is 0.
    private void AssembleFullList(Encoding encoding, ReadOnlySpan<byte> values, ReadOnlySpan<byte> repetition, int[] offsets)
    {
        var start = _slot;
        var position = 0;
        while (true)
        {
            var next = repetition[position..].IndexOf((byte)0);
            if (next < 0) break;
            position += next;
            StartRow(offsets, start + position, isNull: false);
            position++;
        }
        ValueDecoder.Decode(encoding, values, repetition.Length, _output, start, _dictionary);
        _slot = start + repetition.Length;
        offsets[_row] = _slot;
    }

    private void StartRow(int[] offsets, int slot, bool isNull)
    {
        if (_row >= _rows) throw new ParquetFormatException($"pages hold more than the row group's {_rows} rows");
        offsets[_row] = slot;
        if (isNull) (_output.Data.ListNulls ??= new bool[_rows])[_row] = true;
        _row++;
    }

    private static int BitWidth(int maxLevel) => RleHybridEncoder.BitWidth(maxLevel);
}
