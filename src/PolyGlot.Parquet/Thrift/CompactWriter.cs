using System.Buffers;
using System.Text;

namespace PolyGlot.Parquet.Thrift;

/// <summary>Writes the Thrift compact protocol into a growable buffer.</summary>
internal sealed class CompactWriter
{
    private readonly ArrayBufferWriter<byte> _output = new(256);
    private readonly Stack<short> _lastFieldIds = new();
    private short _lastFieldId;

    public ReadOnlySpan<byte> WrittenSpan => _output.WrittenSpan;

    public void BeginStruct()
    {
        _lastFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void EndStruct()
    {
        WriteByte(0);
        _lastFieldId = _lastFieldIds.Pop();
    }

    public void FieldBool(short id, bool value) => FieldHeader(id, value ? CompactType.BooleanTrue : CompactType.BooleanFalse);

    public void FieldI32(short id, int value)
    {
        FieldHeader(id, CompactType.I32);
        WriteVarint(ZigZag(value));
    }

    public void FieldByte(short id, sbyte value)
    {
        FieldHeader(id, CompactType.Byte);
        WriteByte((byte)value);
    }

    public void FieldI64(short id, long value)
    {
        FieldHeader(id, CompactType.I64);
        WriteVarint(ZigZag(value));
    }

    public void FieldBinary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, CompactType.Binary);
        WriteBinary(value);
    }

    public void FieldString(short id, string value) => FieldBinary(id, Encoding.UTF8.GetBytes(value));

    /// <summary>Starts a struct-valued field; close it with <see cref="EndStruct"/>.</summary>
    public void FieldStruct(short id)
    {
        FieldHeader(id, CompactType.Struct);
        BeginStruct();
    }

    /// <summary>Starts a list-valued field; write exactly <paramref name="count"/> elements after it.</summary>
    public void FieldList(short id, CompactType elementType, int count)
    {
        FieldHeader(id, CompactType.List);
        if (count < 15) WriteByte((byte)((count << 4) | (int)elementType));
        else
        {
            WriteByte((byte)(0xF0 | (int)elementType));
            WriteVarint((ulong)count);
        }
    }

    public void ElementI32(int value) => WriteVarint(ZigZag(value));

    public void ElementString(string value) => WriteBinary(Encoding.UTF8.GetBytes(value));

    private void FieldHeader(short id, CompactType type)
    {
        var delta = id - _lastFieldId;
        if (delta is > 0 and <= 15) WriteByte((byte)((delta << 4) | (int)type));
        else
        {
            WriteByte((byte)type);
            WriteVarint(ZigZag(id));
        }
        _lastFieldId = id;
    }

    private void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        value.CopyTo(_output.GetSpan(value.Length));
        _output.Advance(value.Length);
    }

    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    private void WriteVarint(ulong value)
    {
        var span = _output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _output.Advance(n);
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
