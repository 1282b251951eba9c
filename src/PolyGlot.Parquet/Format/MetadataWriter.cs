using PolyGlot.Parquet.Thrift;

namespace PolyGlot.Parquet.Format;

/// <summary>Encodes the footer and page headers in the Thrift compact protocol.</summary>
internal static class MetadataWriter
{
    public static byte[] WriteFileMetaData(FileMetaData meta)
    {
        var w = new CompactWriter();
        w.BeginStruct();
        w.FieldI32(1, meta.Version);
        w.FieldList(2, CompactType.Struct, meta.Schema.Count);
        foreach (var element in meta.Schema) WriteSchemaElement(w, element);
        w.FieldI64(3, meta.NumRows);
        w.FieldList(4, CompactType.Struct, meta.RowGroups.Count);
        foreach (var group in meta.RowGroups) WriteRowGroup(w, group);
        if (meta.KeyValueMetadata.Count > 0) WriteKeyValues(w, 5, meta.KeyValueMetadata);
        if (meta.CreatedBy is not null) w.FieldString(6, meta.CreatedBy);
        if (meta.HasColumnOrders) WriteTypeDefinedOrders(w, meta.Schema.Count(e => e.NumChildren is null && e.Type is not null));
        w.EndStruct();
        return w.WrittenSpan.ToArray();
    }

    public static byte[] WritePageHeader(PageHeader page)
    {
        var w = new CompactWriter();
        w.BeginStruct();
        w.FieldI32(1, (int)page.Type);
        w.FieldI32(2, page.UncompressedPageSize);
        w.FieldI32(3, page.CompressedPageSize);
        switch (page.Type)
        {
            case PageType.DataPage:
                w.FieldStruct(5);
                w.FieldI32(1, page.NumValues);
                w.FieldI32(2, (int)page.Encoding);
                w.FieldI32(3, (int)page.DefinitionLevelEncoding);
                w.FieldI32(4, (int)page.RepetitionLevelEncoding);
                w.EndStruct();
                break;
            case PageType.DictionaryPage:
                w.FieldStruct(7);
                w.FieldI32(1, page.NumValues);
                w.FieldI32(2, (int)page.Encoding);
                w.EndStruct();
                break;
            case PageType.DataPageV2:
                w.FieldStruct(8);
                w.FieldI32(1, page.NumValues);
                w.FieldI32(2, page.NumNulls);
                w.FieldI32(3, page.NumRows);
                w.FieldI32(4, (int)page.Encoding);
                w.FieldI32(5, page.DefinitionLevelsByteLength);
                w.FieldI32(6, page.RepetitionLevelsByteLength);
                w.FieldBool(7, page.IsCompressed);
                w.EndStruct();
                break;
            default:
                throw new ArgumentException($"page type {page.Type} is not written", nameof(page));
        }
        w.EndStruct();
        return w.WrittenSpan.ToArray();
    }

    private static void WriteSchemaElement(CompactWriter w, SchemaElement e)
    {
        w.BeginStruct();
        if (e.Type is { } type) w.FieldI32(1, (int)type);
        if (e.TypeLength is { } length) w.FieldI32(2, length);
        if (e.Repetition is { } repetition) w.FieldI32(3, (int)repetition);
        w.FieldString(4, e.Name);
        if (e.NumChildren is { } children) w.FieldI32(5, children);
        if (e.ConvertedType is { } converted) w.FieldI32(6, (int)converted);
        if (e.Scale is { } scale) w.FieldI32(7, scale);
        if (e.Precision is { } precision) w.FieldI32(8, precision);
        if (e.LogicalType is { } logical) WriteLogicalType(w, logical);
        w.EndStruct();
    }

    private static void WriteLogicalType(CompactWriter w, LogicalType logical)
    {
        w.FieldStruct(10);
        w.FieldStruct((short)logical.Kind);
        switch (logical.Kind)
        {
            case LogicalTypeKind.Integer:
                w.FieldByte(1, (sbyte)logical.BitWidth);
                w.FieldBool(2, logical.IsSigned);
                break;
            case LogicalTypeKind.Timestamp or LogicalTypeKind.Time:
                w.FieldBool(1, logical.IsAdjustedToUtc);
                w.FieldStruct(2);
                w.FieldStruct((short)logical.Unit);
                w.EndStruct();
                w.EndStruct();
                break;
            case LogicalTypeKind.Decimal:
                w.FieldI32(1, logical.Scale);
                w.FieldI32(2, logical.Precision);
                break;
        }
        w.EndStruct();
        w.EndStruct();
    }

    private static void WriteRowGroup(CompactWriter w, RowGroup g)
    {
        w.BeginStruct();
        w.FieldList(1, CompactType.Struct, g.Columns.Count);
        foreach (var chunk in g.Columns) WriteColumnChunk(w, chunk);
        w.FieldI64(2, g.TotalByteSize);
        w.FieldI64(3, g.NumRows);
        if (g.FileOffset is { } offset) w.FieldI64(5, offset);
        if (g.TotalCompressedSize is { } compressed) w.FieldI64(6, compressed);
        if (g.Ordinal is { } ordinal) w.FieldI32(7, ordinal);
        w.EndStruct();
    }

    private static void WriteColumnChunk(CompactWriter w, ColumnChunk c)
    {
        w.BeginStruct();
        w.FieldI64(2, c.FileOffset);
        var m = c.MetaData ?? throw new ArgumentException("column chunk without metadata", nameof(c));
        w.FieldStruct(3);
        w.FieldI32(1, (int)m.Type);
        w.FieldList(2, CompactType.I32, m.Encodings.Count);
        foreach (var encoding in m.Encodings) w.ElementI32((int)encoding);
        w.FieldList(3, CompactType.Binary, m.PathInSchema.Count);
        foreach (var part in m.PathInSchema) w.ElementString(part);
        w.FieldI32(4, (int)m.Codec);
        w.FieldI64(5, m.NumValues);
        w.FieldI64(6, m.TotalUncompressedSize);
        w.FieldI64(7, m.TotalCompressedSize);
        if (m.KeyValueMetadata.Count > 0) WriteKeyValues(w, 8, m.KeyValueMetadata);
        w.FieldI64(9, m.DataPageOffset);
        if (m.DictionaryPageOffset is { } dictionaryOffset) w.FieldI64(11, dictionaryOffset);
        if (m.Statistics is { } stats) WriteStatistics(w, stats);
        w.EndStruct();
        w.EndStruct();
    }

    private static void WriteStatistics(CompactWriter w, Statistics s)
    {
        w.FieldStruct(12);
        if (s.Max is not null) w.FieldBinary(1, s.Max);
        if (s.Min is not null) w.FieldBinary(2, s.Min);
        if (s.NullCount is { } nulls) w.FieldI64(3, nulls);
        if (s.DistinctCount is { } distinct) w.FieldI64(4, distinct);
        if (s.MaxValue is not null) w.FieldBinary(5, s.MaxValue);
        if (s.MinValue is not null) w.FieldBinary(6, s.MinValue);
        w.EndStruct();
    }

    private static void WriteKeyValues(CompactWriter w, short id, List<KeyValuePair<string, string?>> pairs)
    {
        w.FieldList(id, CompactType.Struct, pairs.Count);
        foreach (var (key, value) in pairs)
        {
            w.BeginStruct();
            w.FieldString(1, key);
            if (value is not null) w.FieldString(2, value);
            w.EndStruct();
        }
    }

    // ColumnOrder is a union whose TYPE_ORDER member (id 1) is an empty struct, one per leaf column.
    private static void WriteTypeDefinedOrders(CompactWriter w, int leafCount)
    {
        w.FieldList(7, CompactType.Struct, leafCount);
        for (var i = 0; i < leafCount; i++)
        {
            w.BeginStruct();
            w.FieldStruct(1);
            w.EndStruct();
            w.EndStruct();
        }
    }
}
