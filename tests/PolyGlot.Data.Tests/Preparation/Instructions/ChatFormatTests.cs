using PolyGlot.Data.Preparation.Instructions;
using PolyGlot.Data.Tests.Preparation;
using PolyGlot.Tokenization;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Data.Tests.Preparation.Instructions;

/// <summary>A small tokenizer that holds the ChatML pieces as user-defined symbols.</summary>
public sealed class ChatTokenizerFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-chat-tok-").FullName;

    public ChatTokenizerFixture()
    {
        var corpus = new[] { "en", "de" }.Select(l => new LanguageText(l,
            () => DemoFiles.ReadLines(Path.Combine(DemoFiles.Root, "mono", "gnome", l + ".txt.gz")).Take(800))).ToList();
        var config = new TokenizerTrainingConfig
        {
            VocabSize = 600, MaxSentences = 1200, Threads = 2, UserDefinedSymbols = [ChatFormat.TurnStartPiece, ChatFormat.TurnEndPiece],
        };
        Tokenizer = SentencePieceTokenizer.Load(TokenizerTrainer.Train(config, corpus, Path.Combine(_dir, "chat")).ModelPath);
    }

    public SentencePieceTokenizer Tokenizer { get; }

    public void Dispose()
    {
        Tokenizer.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

[Collection(SmallTokenizerCollection.Name)]
public sealed class ChatFormatTests(SmallTokenizerFixture plain, ChatTokenizerFixture chat) : IClassFixture<ChatTokenizerFixture>
{
    private static readonly Conversation MultiTurn = new(
    [
        new ChatMessage(ChatRole.System, "Answer in German."),
        new ChatMessage(ChatRole.User, "Open the file"),
        new ChatMessage(ChatRole.Assistant, "Datei öffnen"),
        new ChatMessage(ChatRole.User, "Save the document"),
        new ChatMessage(ChatRole.Assistant, "Dokument speichern"),
    ], Lang: "de", Position: "line 1");

    [Fact]
    public void EveryAssistantTurnAndItsEndOfTurnAreTrained_When_TheTokenizerHasChatPieces()
    {
        // Given a tokenizer with <|im_start|> and <|im_end|>
        var format = new ChatFormat(chat.Tokenizer);

        // When a multi-turn conversation is rendered
        var (tokens, mask) = format.Render(MultiTurn);

        // Then the pieces are used and exactly the assistant answers, each closed by <|im_end|>, are trained
        Assert.True(format.UsesReservedPieces);
        Assert.Equal(chat.Tokenizer.PieceToId(ChatFormat.TurnEndPiece), format.EndOfTurnId);
        AssertTrainedRunsAreTheAnswers(chat.Tokenizer, format, tokens, mask);
        Assert.Equal(chat.Tokenizer.Special.EosId, tokens[^1]);
    }

    [Fact]
    public void EosClosesEveryTurn_When_TheTokenizerLacksChatPieces()
    {
        // Given a tokenizer without the ChatML pieces
        var format = new ChatFormat(plain.First);

        // When a multi-turn conversation is rendered
        var (tokens, mask) = format.Render(MultiTurn);

        // Then EOS is the end-of-turn, one per turn, and only the answers and their EOS are trained
        Assert.False(format.UsesReservedPieces);
        Assert.Equal(plain.First.Special.EosId, format.EndOfTurnId);
        Assert.Equal(MultiTurn.Messages.Count, tokens.Count(t => t == format.EndOfTurnId));
        AssertTrainedRunsAreTheAnswers(plain.First, format, tokens, mask);
    }

    [Fact]
    public void PromptTokensAreNeverTrained_When_TheSystemAndUserTurnsChange()
    {
        // Given the same answers after other system and user turns
        var format = new ChatFormat(plain.First);
        var other = MultiTurn with
        {
            Messages = [.. MultiTurn.Messages.Select(m => m.Role == ChatRole.Assistant ? m : m with { Content = "Something else entirely" })],
        };

        // When both are rendered
        var (tokens, mask) = format.Render(MultiTurn);
        var (otherTokens, otherMask) = format.Render(other);

        // Then the trained tokens, in order, are the same
        Assert.Equal(Trained(tokens, mask), Trained(otherTokens, otherMask));
    }

    private static IEnumerable<int> Trained(int[] tokens, byte[] mask) => tokens.Where((_, i) => mask[i] == 1);

    private static void AssertTrainedRunsAreTheAnswers(ITokenizer tokenizer, ChatFormat format, int[] tokens, byte[] mask)
    {
        Assert.Equal(tokens.Length, mask.Length);
        var runs = new List<int[]>();
        for (var i = 0; i < tokens.Length; i++)
        {
            if (mask[i] == 0)
                continue;
            var end = i;
            while (end < tokens.Length && mask[end] == 1)
                end++;
            runs.Add(tokens[i..end]);
            i = end;
        }
        var answers = MultiTurn.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Content).ToList();
        Assert.Equal(answers.Count, runs.Count);
        foreach (var (run, answer) in runs.Zip(answers))
        {
            Assert.Equal(format.EndOfTurnId, run[^1]);
            Assert.Equal(answer, tokenizer.Decode(run[..^1]));
        }
    }
}
