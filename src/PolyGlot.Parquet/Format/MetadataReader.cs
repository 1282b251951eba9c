using PolyGlot.Parquet.Thrift;

namespace PolyGlot.Parquet.Format;

/// <summary>Decodes the footer and page headers from the Thrift compact protocol; unknown fields are skipped.</summary>
internal static class MetadataReader
{
    public static FileMetaData ReadFileMetaData(CompactReader r)
    {
        var meta = new FileMetaData();
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: meta.Version = r.ReadI32(t); break;
                case 2: meta.Schema = ReadList(r, t, ReadSchemaElement); break;
                case 3: meta.NumRows = r.ReadI64(t); break;
                case 4: meta.RowGroups = ReadList(r, t, ReadRowGroup); break;
                case 5: meta.KeyValueMetadata = ReadList(r, t, ReadKeyValue); break;
                case 6: meta.CreatedBy = r.ReadString(t); break;
                case 7: meta.HasColumnOrders = true; r.Skip(t); break;
                case 8: meta.IsEncrypted = true; r.Skip(t); break;
                default: r.Skip(t); break;
            }
        }
        r.EndStruct();
        return meta;
    }

    /// <summary>Reads a page header into <paramref name="page"/>, which is reset first (the reader reuses one per chunk).</summary>
    public static PageHeader ReadPageHeader(CompactReader r, PageHeader page)
    {
        page.Reset();
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: page.Type = ToEnum<PageType>(r.ReadI32(t), "page type"); break;
                case 2: page.UncompressedPageSize = r.ReadI32(t); break;
                case 3: page.CompressedPageSize = r.ReadI32(t); break;
                case 5: ReadDataPageHeader(r, t, page); break;
                case 7: ReadDictionaryPageHeader(r, t, page); break;
                case 8: ReadDataPageHeaderV2(r, t, page); break;
                default: r.Skip(t); break;
            }
        }
        r.EndStruct();
        return page;
    }

    private static void ReadDataPageHeader(CompactReader r, CompactType t, PageHeader page)
    {
        ExpectStruct(t);
        page.HasKindHeader = true;
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            switch (id)
            {
                case 1: page.NumValues = r.ReadI32(ft); break;
                case 2: page.Encoding = ReadEncoding(r, ft); break;
                case 3: page.DefinitionLevelEncoding = ReadEncoding(r, ft); break;
                case 4: page.RepetitionLevelEncoding = ReadEncoding(r, ft); break;
                default: r.Skip(ft); break;
            }
        }
        r.EndStruct();
    }

    private static void ReadDictionaryPageHeader(CompactReader r, CompactType t, PageHeader page)
    {
        ExpectStruct(t);
        page.HasKindHeader = true;
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            switch (id)
            {
                case 1: page.NumValues = r.ReadI32(ft); break;
                case 2: page.Encoding = ReadEncoding(r, ft); break;
                default: r.Skip(ft); break;
            }
        }
        r.EndStruct();
    }

    private static void ReadDataPageHeaderV2(CompactReader r, CompactType t, PageHeader page)
    {
        ExpectStruct(t);
        page.HasKindHeader = true;
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            switch (id)
            {
                case 1: page.NumValues = r.ReadI32(ft); break;
                case 2: page.NumNulls = r.ReadI32(ft); break;
                case 3: page.NumRows = r.ReadI32(ft); break;
                case 4: page.Encoding = ReadEncoding(r, ft); break;
                case 5: page.DefinitionLevelsByteLength = r.ReadI32(ft); break;
                case 6: page.RepetitionLevelsByteLength = r.ReadI32(ft); break;
                case 7: page.IsCompressed = r.ReadBool(ft); break;
                default: r.Skip(ft); break;
            }
        }
        r.EndStruct();
    }

    private static SchemaElement ReadSchemaElement(CompactReader r)
    {
        var e = new SchemaElement();
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: e.Type = ToEnum<PhysicalType>(r.ReadI32(t), "physical type"); break;
                case 2: e.TypeLength = r.ReadI32(t); break;
                case 3: e.Repetition = ToEnum<Repetition>(r.ReadI32(t), "repetition"); break;
                case 4: e.Name = r.ReadString(t); break;
                case 5: e.NumChildren = r.ReadI32(t); break;
                case 6: e.ConvertedType = (ConvertedType)r.ReadI32(t); break;
                case 7: e.Scale = r.ReadI32(t); break;
                case 8: e.Precision = r.ReadI32(t); break;
                case 9: e.FieldId = r.ReadI32(t); break;
                case 10: e.LogicalType = ReadLogicalType(r, t); break;
                default: r.Skip(t); break;
            }
        }
        r.EndStruct();
        return e;
    }

    private static LogicalType ReadLogicalType(CompactReader r, CompactType t)
    {
        ExpectStruct(t);
        var result = new LogicalType(LogicalTypeKind.Other);
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            result = id switch
            {
                5 => ReadDecimal(r, ft),
                7 => ReadTimeLike(r, ft, LogicalTypeKind.Time),
                8 => ReadTimeLike(r, ft, LogicalTypeKind.Timestamp),
                10 => ReadInteger(r, ft),
                >= 1 and <= 15 when Enum.IsDefined((LogicalTypeKind)id) => SkipAnd(r, ft, new LogicalType((LogicalTypeKind)id)),
                _ => SkipAnd(r, ft, new LogicalType(LogicalTypeKind.Other)),
            };
        }
        r.EndStruct();
        return result;
    }

    private static LogicalType SkipAnd(CompactReader r, CompactType t, LogicalType value)
    {
        r.Skip(t);
        return value;
    }

    private static LogicalType ReadDecimal(CompactReader r, CompactType t)
    {
        ExpectStruct(t);
        int scale = 0, precision = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            if (id == 1) scale = r.ReadI32(ft);
            else if (id == 2) precision = r.ReadI32(ft);
            else r.Skip(ft);
        }
        r.EndStruct();
        return new LogicalType(LogicalTypeKind.Decimal) { Scale = scale, Precision = precision };
    }

    private static LogicalType ReadTimeLike(CompactReader r, CompactType t, LogicalTypeKind kind)
    {
        ExpectStruct(t);
        var utc = false;
        var unit = TimeUnit.Millis;
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            if (id == 1) utc = r.ReadBool(ft);
            else if (id == 2) unit = ReadTimeUnit(r, ft);
            else r.Skip(ft);
        }
        r.EndStruct();
        return new LogicalType(kind) { IsAdjustedToUtc = utc, Unit = unit };
    }

    private static TimeUnit ReadTimeUnit(CompactReader r, CompactType t)
    {
        ExpectStruct(t);
        var unit = TimeUnit.Millis;
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            if (id is >= 1 and <= 3) unit = (TimeUnit)id;
            r.Skip(ft);
        }
        r.EndStruct();
        return unit;
    }

    private static LogicalType ReadInteger(CompactReader r, CompactType t)
    {
        ExpectStruct(t);
        int bitWidth = 0;
        var signed = false;
        r.BeginStruct();
        while (r.NextField(out var id, out var ft))
        {
            if (id == 1) bitWidth = r.ReadI32(ft);
            else if (id == 2) signed = r.ReadBool(ft);
            else r.Skip(ft);
        }
        r.EndStruct();
        return new LogicalType(LogicalTypeKind.Integer) { BitWidth = bitWidth, IsSigned = signed };
    }

    private static RowGroup ReadRowGroup(CompactReader r)
    {
        var g = new RowGroup();
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: g.Columns = ReadList(r, t, ReadColumnChunk); break;
                case 2: g.TotalByteSize = r.ReadI64(t); break;
                case 3: g.NumRows = r.ReadI64(t); break;
                case 5: g.FileOffset = r.ReadI64(t); break;
                case 6: g.TotalCompressedSize = r.ReadI64(t); break;
                case 7: g.Ordinal = (short)r.ReadI32(t); break;
                default: r.Skip(t); break;
            }
        }
        r.EndStruct();
        return g;
    }

    private static ColumnChunk ReadColumnChunk(CompactReader r)
    {
        var c = new ColumnChunk();
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: c.FilePath = r.ReadString(t); break;
                case 2: c.FileOffset = r.ReadI64(t); break;
                case 3: ExpectStruct(t); c.MetaData = ReadColumnMetaData(r); break;
                default: r.Skip(t); break;
            }
        }
        r.EndStruct();
        return c;
    }

    private static ColumnMetaData ReadColumnMetaData(CompactReader r)
    {
        var m = new ColumnMetaData();
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: m.Type = ToEnum<PhysicalType>(r.ReadI32(t), "physical type"); break;
                case 2: m.Encodings = ReadList(r, t, x => (Encoding)x.ReadI32(CompactType.I32)); break;
                case 3: m.PathInSchema = ReadList(r, t, x => x.ReadString(CompactType.Binary)); break;
                case 4: m.Codec = (CompressionCodec)r.ReadI32(t); break;
                case 5: m.NumValues = r.ReadI64(t); break;
                case 6: m.TotalUncompressedSize = r.ReadI64(t); break;
                case 7: m.TotalCompressedSize = r.ReadI64(t); break;
                case 8: m.KeyValueMetadata = ReadList(r, t, ReadKeyValue); break;
                case 9: m.DataPageOffset = r.ReadI64(t); break;
                case 10: m.IndexPageOffset = r.ReadI64(t); break;
                case 11: m.DictionaryPageOffset = r.ReadI64(t); break;
                case 12: ExpectStruct(t); m.Statistics = ReadStatistics(r); break;
                default: r.Skip(t); break;
            }
        }
        r.EndStruct();
        return m;
    }

    private static Statistics ReadStatistics(CompactReader r)
    {
        var s = new Statistics();
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            switch (id)
            {
                case 1: s.Max = r.ReadBinary(t); break;
                case 2: s.Min = r.ReadBinary(t); break;
                case 3: s.NullCount = r.ReadI64(t); break;
                case 4: s.DistinctCount = r.ReadI64(t); break;
                case 5: s.MaxValue = r.ReadBinary(t); break;
                case 6: s.MinValue = r.ReadBinary(t); break;
                default: r.Skip(t); break;
            }
        }
        r.EndStruct();
        return s;
    }

    private static KeyValuePair<string, string?> ReadKeyValue(CompactReader r)
    {
        string key = "";
        string? value = null;
        r.BeginStruct();
        while (r.NextField(out var id, out var t))
        {
            if (id == 1) key = r.ReadString(t);
            else if (id == 2) value = r.ReadString(t);
            else r.Skip(t);
        }
        r.EndStruct();
        return new(key, value);
    }

    private static List<T> ReadList<T>(CompactReader r, CompactType t, Func<CompactReader, T> readElement)
    {
        var count = r.ReadListHeader(t, out var elementType);
        var list = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            if (typeof(T) != typeof(Encoding) && typeof(T) != typeof(string) && elementType != CompactType.Struct)
                throw new ParquetFormatException($"Thrift list holds {elementType} where structs were expected");
            list.Add(readElement(r));
        }
        return list;
    }

    private static Encoding ReadEncoding(CompactReader r, CompactType t) => (Encoding)r.ReadI32(t);

    private static void ExpectStruct(CompactType t)
    {
        if (t != CompactType.Struct) throw new ParquetFormatException($"Thrift field has wire type {t} where a struct was expected");
    }

    private static T ToEnum<T>(int value, string what) where T : struct, Enum =>
        Enum.IsDefined(typeof(T), value) ? (T)(object)value : throw new ParquetFormatException($"unknown {what} {value}");
}
