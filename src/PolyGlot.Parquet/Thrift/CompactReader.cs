using System.Buffers.Binary;
using System.Text;

namespace PolyGlot.Parquet.Thrift;

/// <summary>
/// Reads the Thrift compact protocol (used by Parquet for the footer and page headers) from a byte
/// buffer. Every read is bounds-checked; counts are checked against the bytes left before anything
/// is allocated; nesting depth is limited so that corrupt input cannot overflow the stack.
/// </summary>
internal sealed class CompactReader
{
    private const int MaxDepth = 64;
    private readonly byte[] _buffer;
    private readonly int _end;
    private readonly Stack<short> _lastFieldIds = new();
    private short _lastFieldId;
    private bool? _pendingBool;

    public CompactReader(byte[] buffer, int start, int length)
    {
        _buffer = buffer;
        Position = start;
        _end = start + length;
    }

    public int Position { get; private set; }

    /// <summary>Starts reading a new top-level structure at <paramref name="position"/> (one reader serves every page header of a chunk).</summary>
    public void MoveTo(int position)
    {
        if (position < 0 || position > _end) throw new ParquetFormatException($"Thrift position {position} lies outside the buffer");
        Position = position;
        _lastFieldIds.Clear();
        _lastFieldId = 0;
        _pendingBool = null;
    }

    public int Remaining => _end - Position;

    public void BeginStruct()
    {
        if (_lastFieldIds.Count >= MaxDepth)
            throw new ParquetFormatException($"Thrift structure nested deeper than {MaxDepth} levels");
        _lastFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void EndStruct() => _lastFieldId = _lastFieldIds.Pop();

    /// <summary>Reads the next field header; false at the struct's STOP.</summary>
    public bool NextField(out short id, out CompactType type)
    {
        var header = ReadByte();
        type = (CompactType)(header & 0x0F);
        if (type == CompactType.Stop)
        {
            id = 0;
            return false;
        }
        if (type > CompactType.Struct)
            throw new ParquetFormatException($"unknown Thrift field type {(int)type}");
        var delta = header >> 4;
        id = delta == 0 ? (short)ZigZag32(ReadVarint32()) : (short)(_lastFieldId + delta);
        _lastFieldId = id;
        if (type is CompactType.BooleanTrue or CompactType.BooleanFalse)
            _pendingBool = type == CompactType.BooleanTrue;
        return true;
    }

    public bool ReadBool(CompactType type)
    {
        if (_pendingBool is { } value && type is CompactType.BooleanTrue or CompactType.BooleanFalse)
        {
            _pendingBool = null;
            return value;
        }
        throw Mismatch(type, "bool");
    }

    public int ReadI32(CompactType type)
    {
        if (type is not (CompactType.I32 or CompactType.I16 or CompactType.Byte)) throw Mismatch(type, "i32");
        return type == CompactType.Byte ? (sbyte)ReadByte() : ZigZag32(ReadVarint32());
    }

    public long ReadI64(CompactType type)
    {
        if (type is CompactType.I32 or CompactType.I16 or CompactType.Byte) return ReadI32(type);
        if (type != CompactType.I64) throw Mismatch(type, "i64");
        var raw = ReadVarint64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public byte[] ReadBinary(CompactType type)
    {
        if (type != CompactType.Binary) throw Mismatch(type, "binary");
        var length = ReadLength();
        var bytes = _buffer.AsSpan(Position, length).ToArray();
        Position += length;
        return bytes;
    }

    public string ReadString(CompactType type) => Encoding.UTF8.GetString(ReadBinary(type));

    /// <summary>Reads a list header; the element count is checked against the bytes left.</summary>
    public int ReadListHeader(CompactType type, out CompactType elementType)
    {
        if (type is not (CompactType.List or CompactType.Set)) throw Mismatch(type, "list");
        var header = ReadByte();
        elementType = (CompactType)(header & 0x0F);
        var count = header >> 4;
        if (count == 15) count = CheckedCount(ReadVarint32());
        // Every element takes at least one byte except booleans, which take one byte each in lists too.
        if (count > Remaining)
            throw new ParquetFormatException($"Thrift list of {count} elements exceeds the {Remaining} bytes left");
        return count;
    }

    /// <summary>Skips a value of any type, nested structs and containers included.</summary>
    public void Skip(CompactType type)
    {
        switch (type)
        {
            case CompactType.BooleanTrue or CompactType.BooleanFalse:
                _pendingBool = null;
                break;
            case CompactType.Byte:
                ReadByte();
                break;
            case CompactType.I16 or CompactType.I32 or CompactType.I64:
                ReadVarint64();
                break;
            case CompactType.Double:
                Advance(8);
                break;
            case CompactType.Binary:
                Advance(ReadLength());
                break;
            case CompactType.List or CompactType.Set:
                SkipList(type);
                break;
            case CompactType.Map:
                SkipMap();
                break;
            case CompactType.Struct:
                SkipStruct();
                break;
            default:
                throw new ParquetFormatException($"cannot skip Thrift value of unknown type {(int)type}");
        }
    }

    public void SkipStruct()
    {
        BeginStruct();
        while (NextField(out _, out var fieldType)) Skip(fieldType);
        EndStruct();
    }

    private void SkipList(CompactType type)
    {
        var count = ReadListHeader(type, out var elementType);
        if (_lastFieldIds.Count >= MaxDepth)
            throw new ParquetFormatException($"Thrift structure nested deeper than {MaxDepth} levels");
        _lastFieldIds.Push(_lastFieldId);
        for (var i = 0; i < count; i++)
        {
            if (elementType is CompactType.BooleanTrue or CompactType.BooleanFalse) ReadByte();
            else Skip(elementType);
        }
        _lastFieldId = _lastFieldIds.Pop();
    }

    private void SkipMap()
    {
        var count = CheckedCount(ReadVarint32());
        if (count == 0) return;
        var types = ReadByte();
        if (count > Remaining) throw new ParquetFormatException($"Thrift map of {count} entries exceeds the {Remaining} bytes left");
        _lastFieldIds.Push(_lastFieldId);
        if (_lastFieldIds.Count >= MaxDepth)
            throw new ParquetFormatException($"Thrift structure nested deeper than {MaxDepth} levels");
        for (var i = 0; i < count; i++)
        {
            SkipElement((CompactType)(types >> 4));
            SkipElement((CompactType)(types & 0x0F));
        }
        _lastFieldId = _lastFieldIds.Pop();
    }

    private void SkipElement(CompactType type)
    {
        if (type is CompactType.BooleanTrue or CompactType.BooleanFalse) ReadByte();
        else Skip(type);
    }

    public double ReadDouble(CompactType type)
    {
        if (type != CompactType.Double) throw Mismatch(type, "double");
        if (Remaining < 8) throw Truncated();
        var value = BinaryPrimitives.ReadDoubleLittleEndian(_buffer.AsSpan(Position, 8));
        Position += 8;
        return value;
    }

    private int ReadLength()
    {
        var length = CheckedCount(ReadVarint32());
        if (length > Remaining)
            throw new ParquetFormatException($"Thrift binary of {length} bytes exceeds the {Remaining} bytes left");
        return length;
    }

    private static int CheckedCount(uint raw) =>
        raw > int.MaxValue ? throw new ParquetFormatException($"Thrift count {raw} is out of range") : (int)raw;

    private void Advance(int count)
    {
        if (count > Remaining) throw Truncated();
        Position += count;
    }

    private byte ReadByte()
    {
        if (Position >= _end) throw Truncated();
        return _buffer[Position++];
    }

    private uint ReadVarint32()
    {
        var value = ReadVarint64();
        return value > uint.MaxValue ? throw new ParquetFormatException("Thrift varint exceeds 32 bits") : (uint)value;
    }

    private ulong ReadVarint64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ParquetFormatException("Thrift varint longer than 10 bytes");
    }

    private static int ZigZag32(uint raw) => (int)(raw >> 1) ^ -(int)(raw & 1);

    private static ParquetFormatException Truncated() => new("Thrift structure is truncated");

    private static ParquetFormatException Mismatch(CompactType actual, string expected) =>
        new($"Thrift field has wire type {actual} where {expected} was expected");
}
