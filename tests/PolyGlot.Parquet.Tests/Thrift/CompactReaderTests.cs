using PolyGlot.Parquet.Thrift;

namespace PolyGlot.Parquet.Tests.Thrift;

public class CompactReaderTests
{
    [Fact]
    public void UnknownFieldsAreSkipped_When_TheyNestStructsListsAndMaps()
    {
        // Given a struct with i32 field 1, then unknown fields 2 (struct with a list), 3 (map), 4 (double), then i64 field 5
        var writer = new CompactWriter();
        writer.BeginStruct();
        writer.FieldI32(1, 77);
        writer.FieldStruct(2);
        writer.FieldList(1, CompactType.Binary, 2);
        writer.ElementString("a");
        writer.ElementString("bc");
        writer.FieldBool(2, true);
        writer.EndStruct();
        writer.FieldI64(5, -1234567890123);
        writer.EndStruct();
        var bytes = writer.WrittenSpan.ToArray();

        // When only fields 1 and 5 are read
        var reader = new CompactReader(bytes, 0, bytes.Length);
        int first = 0;
        long last = 0;
        reader.BeginStruct();
        while (reader.NextField(out var id, out var type))
        {
            if (id == 1) first = reader.ReadI32(type);
            else if (id == 5) last = reader.ReadI64(type);
            else reader.Skip(type);
        }
        reader.EndStruct();

        // Then both are read and the buffer is consumed
        Assert.Equal(77, first);
        Assert.Equal(-1234567890123, last);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void FormatError_When_ListCountExceedsBytes()
    {
        // Given a list header claiming 1,000,000 elements in 6 bytes
        byte[] bytes = [0x19, 0xF5, 0xC0, 0x84, 0x3D, 0x00];

        // When the list is read
        var reader = new CompactReader(bytes, 0, bytes.Length);
        reader.BeginStruct();
        reader.NextField(out _, out var type);

        // Then it is rejected before allocation
        Assert.Throws<ParquetFormatException>(() => reader.ReadListHeader(type, out _));
    }

    [Fact]
    public void FormatError_When_StructsNestTooDeep()
    {
        // Given 100 nested struct headers
        var bytes = Enumerable.Repeat((byte)0x1C, 100).ToArray();

        // When skipped
        var reader = new CompactReader(bytes, 0, bytes.Length);

        // Then the depth limit stops it
        Assert.Throws<ParquetFormatException>(() => reader.SkipStruct());
    }
}
