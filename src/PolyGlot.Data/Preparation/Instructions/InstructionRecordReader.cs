using System.Text;
using System.Text.Json;
using PolyGlot.Data.Corpus;

namespace PolyGlot.Data.Preparation.Instructions;

/// <summary>
/// Reads instruction records as conversations: Alpaca/MultiAlpaca records from a JSON array or
/// JSONL, chat records from JSONL (docs/instruction-tuning.md). A bad record (not JSON, no
/// <c>instruction</c> or <c>output</c>, an unknown role, an empty assistant turn, no assistant turn)
/// is refused with a <see cref="CorpusFormatException"/> naming the file and the line: instruction
/// data is small and curated, so a broken record is a mistake to fix, not noise to drop.
/// </summary>
public static class InstructionRecordReader
{
    /// <summary>Reads every record of <paramref name="path"/> in <paramref name="format"/> (<see cref="InstructionFormats"/>).</summary>
    /// <exception cref="CorpusFormatException">A record is malformed; the message names the file and the line.</exception>
    public static IEnumerable<Conversation> Read(string path, string format)
    {
        if (!InstructionFormats.IsInstruction(format))
            throw new ArgumentException($"'{format}' is not an instruction format ({InstructionFormats.Alpaca}, {InstructionFormats.Chat}).", nameof(format));
        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble))
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        var records = FirstNonSpace(bytes) == (byte)'[' ? ArrayRecords(path, bytes) : LineRecords(bytes);
        foreach (var (json, line) in records)
            yield return Parse(path, format, json, $"line {line}");
    }

    // Each non-blank line of a JSONL file, with its 1-based number.
    private static IEnumerable<(ReadOnlyMemory<byte> Json, int Line)> LineRecords(byte[] bytes)
    {
        var (start, line) = (0, 1);
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
                end = bytes.Length;
            var text = bytes.AsMemory(start, end - start);
            if (!text.Span.Trim(" \t\r"u8).IsEmpty)
                yield return (text, line);
            (start, line) = (end + 1, line + 1);
        }
    }

    // Each element of a top-level JSON array, with the line it starts on.
    private static List<(ReadOnlyMemory<byte> Json, int Line)> ArrayRecords(string path, byte[] bytes)
    {
        var records = new List<(ReadOnlyMemory<byte>, int)>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var (counted, line) = (0, 1);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                line += bytes.AsSpan(counted, start - counted).Count((byte)'\n');
                counted = start;
                reader.Skip();
                records.Add((bytes.AsMemory(start, (int)reader.BytesConsumed - start), line));
            }
        }
        catch (JsonException e)
        {
            throw new CorpusFormatException(path, $"line {e.LineNumber + 1}", $"not valid JSON: {e.Message}", e);
        }
        return records;
    }

    private static Conversation Parse(string path, string format, ReadOnlyMemory<byte> json, string position)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CorpusFormatException(path, position, $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CorpusFormatException(path, position, $"a record must be a JSON object; found {root.ValueKind}");
            var messages = format == InstructionFormats.Alpaca ? AlpacaMessages(path, position, root) : ChatMessages(path, position, root);
            return new Conversation(messages, OptionalString(path, position, root, "lang"), position);
        }
    }

    private static List<ChatMessage> AlpacaMessages(string path, string position, JsonElement record)
    {
        var instruction = RequiredString(path, position, record, "instruction");
        var input = OptionalString(path, position, record, "input");
        var output = RequiredString(path, position, record, "output");
        // MultiAlpaca and Alpaca put the input after the instruction, separated by a blank line.
        var user = string.IsNullOrWhiteSpace(input) ? instruction : $"{instruction}\n\n{input}";
        return [new ChatMessage(ChatRole.User, user), new ChatMessage(ChatRole.Assistant, output)];
    }

    private static List<ChatMessage> ChatMessages(string path, string position, JsonElement record)
    {
        if (!record.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            throw new CorpusFormatException(path, position, "a chat record needs \"messages\": a non-empty array of {\"role\", \"content\"}");
        var messages = new List<ChatMessage>();
        foreach (var message in list.EnumerateArray())
        {
            var turn = $"{position}, message {messages.Count + 1}";
            if (message.ValueKind != JsonValueKind.Object)
                throw new CorpusFormatException(path, turn, "a message must be a JSON object with \"role\" and \"content\"");
            var role = RequiredString(path, turn, message, "role") switch
            {
                "system" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                var other => throw new CorpusFormatException(path, turn, $"unknown role '{other}'; the roles are system, user and assistant"),
            };
            var content = role == ChatRole.Assistant ? RequiredString(path, turn, message, "content") : OptionalString(path, turn, message, "content") ?? "";
            messages.Add(new ChatMessage(role, content));
        }
        if (messages.All(m => m.Role != ChatRole.Assistant))
            throw new CorpusFormatException(path, position, "the conversation has no assistant turn: nothing would be trained");
        return messages;
    }

    // A string field that must be present and not blank (an empty answer teaches nothing).
    private static string RequiredString(string path, string position, JsonElement record, string name) =>
        OptionalString(path, position, record, name) is { } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new CorpusFormatException(path, position, $"\"{name}\" is missing or empty");

    private static string? OptionalString(string path, string position, JsonElement record, string name)
    {
        if (!record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CorpusFormatException(path, position, $"\"{name}\" must be a string; found {value.ValueKind}");
    }

    private static byte FirstNonSpace(byte[] bytes)
    {
        foreach (var b in bytes)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                return b;
        return 0;
    }
}
