using System.Buffers.Binary;
using System.Text;

namespace PolyGlot.Tokenization.Training;

/// <summary>One vocabulary entry of a SentencePiece model: text, score, and type (1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte).</summary>
/// <param name="Piece">The piece text (spaces as U+2581).</param>
/// <param name="Score">The score; BPE merges the highest-scoring pair first.</param>
/// <param name="Type">SentencePiece's <c>ModelProto.SentencePiece.Type</c>.</param>
public sealed record SentencePieceEntry(string Piece, float Score, int Type)
{
    /// <summary>A piece learned from text (not a special, user-defined or byte piece).</summary>
    public bool IsNormal => Type == 1;
}

/// <summary>
/// Reads the vocabulary of a SentencePiece <c>.model</c> file and appends pieces to it. The file is
/// a protobuf <c>ModelProto</c> whose field 1 is the repeated <c>SentencePiece</c> list (piece = 1,
/// score = 2, type = 3; sentencepiece_model.proto). Protobuf merges a repeated field's occurrences
/// in file order, so pieces written after the existing bytes take the next ids and every existing
/// id is unchanged.
/// </summary>
public static class SentencePieceModelFile
{
    private const int PiecesField = 1;

    /// <summary>The pieces of the model in <paramref name="bytes"/>, in id order.</summary>
    /// <exception cref="TokenizerException">The bytes are not a protobuf ModelProto.</exception>
    public static IReadOnlyList<SentencePieceEntry> ReadPieces(ReadOnlySpan<byte> bytes)
    {
        var pieces = new List<SentencePieceEntry>();
        var position = 0;
        while (position < bytes.Length)
        {
            var (field, wire) = Tag(bytes, ref position);
            if (field == PiecesField && wire == 2)
                pieces.Add(ReadPiece(LengthDelimited(bytes, ref position)));
            else
                Skip(bytes, ref position, wire);
        }
        return pieces;
    }

    /// <summary>The bytes of the model with <paramref name="pieces"/> appended (normal pieces with their scores).</summary>
    public static byte[] Append(ReadOnlySpan<byte> model, IEnumerable<(string Piece, float Score)> pieces)
    {
        using var output = new MemoryStream();
        output.Write(model);
        Span<byte> scoreBytes = stackalloc byte[4];
        foreach (var (piece, score) in pieces)
        {
            var text = Encoding.UTF8.GetBytes(piece);
            using var entry = new MemoryStream();
            entry.WriteByte(0x0A);  // field 1, length-delimited: the piece
            WriteVarint(entry, (ulong)text.Length);
            entry.Write(text);
            entry.WriteByte(0x15);  // field 2, fixed32: the score
            BinaryPrimitives.WriteSingleLittleEndian(scoreBytes, score);
            entry.Write(scoreBytes);
            output.WriteByte(0x0A);  // ModelProto field 1: one SentencePiece
            WriteVarint(output, (ulong)entry.Length);
            entry.WriteTo(output);
        }
        return output.ToArray();
    }

    private static SentencePieceEntry ReadPiece(ReadOnlySpan<byte> bytes)
    {
        var (piece, score, type) = ("", 0f, 1);
        var position = 0;
        while (position < bytes.Length)
        {
            var (field, wire) = Tag(bytes, ref position);
            switch (field, wire)
            {
                case (1, 2):
                    piece = Encoding.UTF8.GetString(LengthDelimited(bytes, ref position));
                    break;
                case (2, 5):
                    score = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(position, 4));
                    position += 4;
                    break;
                case (3, 0):
                    type = (int)Varint(bytes, ref position);
                    break;
                default:
                    Skip(bytes, ref position, wire);
                    break;
            }
        }
        return new SentencePieceEntry(piece, score, type);
    }

    private static (int Field, int Wire) Tag(ReadOnlySpan<byte> bytes, ref int position)
    {
        var tag = Varint(bytes, ref position);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    private static ReadOnlySpan<byte> LengthDelimited(ReadOnlySpan<byte> bytes, ref int position)
    {
        var length = (int)Varint(bytes, ref position);
        if (length < 0 || position + length > bytes.Length)
            throw Malformed();
        var slice = bytes.Slice(position, length);
        position += length;
        return slice;
    }

    private static void Skip(ReadOnlySpan<byte> bytes, ref int position, int wire)
    {
        switch (wire)
        {
            case 0: Varint(bytes, ref position); break;
            case 1: position += 8; break;
            case 2: LengthDelimited(bytes, ref position); break;
            case 5: position += 4; break;
            default: throw Malformed();
        }
        if (position > bytes.Length)
            throw Malformed();
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
                throw Malformed();
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw Malformed();
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }

    private static TokenizerException Malformed() =>
        new("The file is not a SentencePiece model (its protobuf is malformed); pass the .model file written by `polyglot tokenizer train`.");
}
