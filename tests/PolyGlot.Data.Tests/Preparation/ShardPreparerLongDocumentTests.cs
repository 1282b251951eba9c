using System.Text;
using System.Text.Json;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>Documents longer than <see cref="ShardPreparer.MaxPieceBytes"/>, encoded in pieces.</summary>
[Collection(SmallTokenizerCollection.Name)]
public sealed class ShardPreparerLongDocumentTests(SmallTokenizerFixture tokenizers) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-prepare-long-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ShardPreparationConfig Config() => new()
    {
        Tokenizer = tokenizers.First.ModelPath, Output = Path.Combine(_dir, "out"), ShardTokens = 50_000, Threads = 2, BatchBytes = 64 * 1024,
    };

    // The documents as a text source (one per line) or a JSONL one (each a string until it is encoded).
    private CorpusSourceConfig Source(string format, IReadOnlyList<string> documents)
    {
        var path = Path.Combine(_dir, "long." + format);
        File.WriteAllLines(path, format == CorpusFormats.Jsonl ? documents.Select(d => JsonSerializer.Serialize(new { text = d })) : documents);
        return new CorpusSourceConfig { Name = "long", Path = path, Format = format, Lang = "mul" };
    }

    // One document per demo language: 300 of its lines joined by spaces (10 to 40 KB each).
    private static List<string> DemoDocuments() =>
        Directory.GetFiles(Path.Combine(DemoFiles.Root, "mono"), "*.txt.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => string.Join(' ', DemoFiles.ReadLines(f).Where(l => l.Trim().Length > 0).Take(300)))
            .ToList();

    [Theory]
    [InlineData(CorpusFormats.Text)]
    [InlineData(CorpusFormats.Jsonl)]
    public void IdsAreThoseOfEachDocumentEncodedWhole_When_LongDocumentsAreEncodedInSmallPieces(string format)
    {
        // Given a document in each of the 16 demo languages, and pieces of at most 600 bytes (the longest run without a
        // space in them, Japanese, is 516 bytes: every cut can be an exact one)
        var documents = DemoDocuments();
        var tokenizer = new RecordingTokenizer(tokenizers.First);
        var preparer = new ShardPreparer(Config(), tokenizer) { MaxPieceBytes = 600 };

        // When they are prepared
        var source = Source(format, documents);
        preparer.Prepare(source);

        // Then each was encoded in pieces of at most 600 bytes, with no forced cut, and its row holds the ids of the
        // whole document, as the tokenizer gives them for it in one piece
        var rows = ShardTestReader.ReadAll(preparer.DirectoryFor(source));
        Assert.Equal(16, rows.Count);
        Assert.Equal(0, preparer.ForcedCuts);
        Assert.True(tokenizer.Longest <= 600, $"a text of {tokenizer.Longest} bytes was encoded");
        Assert.True(tokenizer.Seen.Count > 500, $"only {tokenizer.Seen.Count} texts were encoded");
        for (var i = 0; i < documents.Count; i++)
            Assert.Equal([.. tokenizers.First.Encode(documents[i]), tokenizers.First.Special.EosId], rows[i].Ids);
    }

    [Theory]
    [InlineData(CorpusFormats.Text)]
    [InlineData(CorpusFormats.Jsonl)]
    public void ForcedCutsAreCountedAndNoCharacterIsCut_When_RunsWithoutWhitespaceAreLongerThanAPiece(string format)
    {
        // Given runs without whitespace of characters of one, four (a surrogate pair in a string) and two UTF-8 bytes,
        // and pieces of at most 1001 bytes
        string[] documents = ["kurz", new('x', 10_000), string.Concat(Enumerable.Repeat("\U0001D11E", 3000)), new('é', 5001)];
        var tokenizer = new RecordingTokenizer(tokenizers.First);
        PrepareProgressReport? last = null;
        var preparer = new ShardPreparer(Config(), tokenizer) { MaxPieceBytes = 1001, Progress = r => last = r };

        // When they are prepared
        var source = Source(format, documents);
        preparer.Prepare(source);

        // Then 10,000 x are cut 9 times (1001 bytes a piece), 12,000 bytes of U+1D11E 11 times and 10,002 bytes of é 10 times
        // (1000 a piece, the last whole character within the bound), each cut counted, and each document comes back whole
        Assert.Equal(30, preparer.ForcedCuts);
        Assert.Equal(30, last!.ForcedCuts);
        Assert.Equal(0, tokenizer.Invalid);
        Assert.Equal(1001, tokenizer.Longest);
        var rows = ShardTestReader.ReadAll(preparer.DirectoryFor(source));
        Assert.Equal(documents, rows.Select(r => tokenizers.First.Decode(r.Ids.AsSpan(0, r.Ids.Length - 1))));
    }

    [Fact]
    public void ForcedCutsFallBeforeWords_When_TheTokenizerKnowsNoExactCut()
    {
        // Given a tokenizer that offers no exact cut, a document of 2,000 words of 4 to 9 letters, and pieces of at most 256 bytes
        var random = new Random(3);
        var document = string.Join(' ', Enumerable.Range(0, 2000).Select(_ => new string('w', random.Next(4, 10))));
        var tokenizer = new RecordingTokenizer(tokenizers.First, TextCuts.None);
        var preparer = new ShardPreparer(Config(), tokenizer) { MaxPieceBytes = 256 };

        // When it is prepared
        var source = Source(CorpusFormats.Text, [document]);
        preparer.Prepare(source);

        // Then every cut is counted as forced and lies before a space, and the document comes back whole
        var pieces = tokenizer.Seen;
        Assert.True(pieces.Count > 40, $"only {pieces.Count} pieces");
        Assert.Equal(pieces.Count - 1, preparer.ForcedCuts);
        Assert.All(pieces, p => Assert.True(p.Length <= 256));
        Assert.Equal(pieces.Count - 1, pieces.Count(p => p[0] == (byte)' '));
        var row = ShardTestReader.ReadAll(preparer.DirectoryFor(source)).Single();
        Assert.Equal(document, tokenizers.First.Decode(row.Ids.AsSpan(0, row.Ids.Length - 1)));
    }

    [Fact]
    public void InvalidUtf8IsNamedByItsLineAndByteInTheDocument_When_ItLiesInALaterPiece()
    {
        // Given a long second line whose byte 7003 is not UTF-8, and pieces of at most 256 bytes
        var line = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("wort ", 2000)));
        line[7003] = 0xFF;
        var path = Path.Combine(_dir, "bad.txt");
        File.WriteAllBytes(path, [.. "ok\n"u8, .. line, (byte)'\n']);
        var source = new CorpusSourceConfig { Name = "bad", Path = path, Lang = "de" };
        var preparer = new ShardPreparer(Config(), tokenizers.First) { MaxPieceBytes = 256 };

        // When it is prepared, then the error names the line and the byte's place in the whole line
        var error = Assert.Throws<CorpusFormatException>(() => preparer.Prepare(source));
        Assert.Contains("line 2: invalid UTF-8 at byte 7003 of the line", error.Message);
    }

    [Fact]
    public void BoundIsRefused_When_ItCannotHoldACharacter()
    {
        // When a bound below 4 bytes is set, then it is refused: a forced cut must leave a whole character before it
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardPreparer(Config(), tokenizers.First) { MaxPieceBytes = 3 });
    }
}
