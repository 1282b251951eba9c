using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation.Instructions;

namespace PolyGlot.Data.Tests.Preparation.Instructions;

public sealed class InstructionRecordReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-instructions-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AlpacaRecordsBecomeAUserAndAnAssistantTurn_When_ReadFromAJsonArray()
    {
        // Given a MultiAlpaca-style JSON array, one record with an input and a language, one without
        var path = Write("alpaca.json", """
            [
              {"instruction": "Translate to German", "input": "Open the file", "output": "Datei öffnen", "lang": "de"},
              {"instruction": "Say hello", "input": "", "output": "Hello"}
            ]
            """);

        // When it is read
        var records = InstructionRecordReader.Read(path, InstructionFormats.Alpaca).ToList();

        // Then the input follows the instruction after a blank line, the output is the answer, lang is kept
        Assert.Equal(2, records.Count);
        Assert.Equal([new ChatMessage(ChatRole.User, "Translate to German\n\nOpen the file"), new ChatMessage(ChatRole.Assistant, "Datei öffnen")],
            records[0].Messages);
        Assert.Equal("de", records[0].Lang);
        Assert.Equal([new ChatMessage(ChatRole.User, "Say hello"), new ChatMessage(ChatRole.Assistant, "Hello")], records[1].Messages);
        Assert.Null(records[1].Lang);
        Assert.Equal("line 3", records[1].Position);
    }

    [Fact]
    public void ChatRecordsKeepEveryTurn_When_ReadFromJsonl()
    {
        // Given a chat JSONL file with a blank line and a multi-turn conversation
        var path = Write("chat.jsonl", """
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Goodbye"}]}

            {"messages": [{"role": "user", "content": "Ping"}, {"role": "assistant", "content": "Pong"}], "lang": "en"}
            """);

        // When it is read
        var records = InstructionRecordReader.Read(path, InstructionFormats.Chat).ToList();

        // Then every turn is kept in order, with its role
        Assert.Equal(2, records.Count);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant], records[0].Messages.Select(m => m.Role));
        Assert.Equal("Goodbye", records[0].Messages[^1].Content);
        Assert.Equal("line 3", records[1].Position);
        Assert.Equal("en", records[1].Lang);
    }

    [Theory]
    [InlineData(InstructionFormats.Alpaca, """{"instruction": "Say hi"}""", "\"output\" is missing or empty")]
    [InlineData(InstructionFormats.Alpaca, """{"instruction": "Say hi", "output": "  "}""", "\"output\" is missing or empty")]
    [InlineData(InstructionFormats.Chat, """{"messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello"}]}""", "unknown role 'bot'")]
    [InlineData(InstructionFormats.Chat, """{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}]}""", "\"content\" is missing or empty")]
    [InlineData(InstructionFormats.Chat, """{"messages": [{"role": "user", "content": "Hi"}]}""", "no assistant turn")]
    [InlineData(InstructionFormats.Chat, """{"messages": [""", "not valid JSON")]
    public void BadRecordIsRefusedWithFileAndLine_When_ItIsOnLineTwo(string format, string bad, string problem)
    {
        // Given a JSONL file whose second record is bad
        var good = format == InstructionFormats.Alpaca
            ? """{"instruction": "Say hi", "output": "Hi"}"""
            : """{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}""";
        var path = Write("bad.jsonl", good + "\n" + bad + "\n");

        // When it is read
        var error = Assert.Throws<CorpusFormatException>(() => InstructionRecordReader.Read(path, format).ToList());

        // Then the error names the file, line 2 and the problem
        Assert.Equal(path, error.File);
        Assert.StartsWith("line 2", error.Position);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void BadRecordIsRefusedWithItsLine_When_ItIsInAJsonArray()
    {
        // Given a JSON array whose second record, starting on line 4, has no output
        var path = Write("alpaca.json", "[\n  {\"instruction\": \"a\", \"output\": \"b\"},\n\n  {\"instruction\": \"c\"}\n]\n");

        // When it is read
        var error = Assert.Throws<CorpusFormatException>(() => InstructionRecordReader.Read(path, InstructionFormats.Alpaca).ToList());

        // Then the error names line 4
        Assert.Equal("line 4", error.Position);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
