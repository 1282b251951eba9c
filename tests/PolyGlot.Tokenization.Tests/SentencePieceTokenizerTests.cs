using System.Text;

namespace PolyGlot.Tokenization.Tests;

[Collection(TrainedTokenizerCollection.Name)]
public sealed class SentencePieceTokenizerTests(TrainedTokenizerFixture trained, TokenizerKindsFixture kinds)
{
    private SentencePieceTokenizer Tokenizer => trained.Tokenizer;

    [Theory]
    [MemberData(nameof(DemoCorpus.Languages), MemberType = typeof(DemoCorpus))]
    public void DecodeReturnsTheOriginalText_When_HeldOutTextOfADemoLanguageIsEncoded(string language)
    {
        // Given held-out paragraphs joined by newlines, with runs of spaces and a tab added
        var lines = DemoCorpus.ReadLines(DemoCorpus.HeldOutFile(language)).Take(40).ToList();
        var text = "  " + string.Join("\n", lines) + "\n\n\t end  \n";

        // When it is encoded and decoded
        var decoded = Tokenizer.Decode(Tokenizer.Encode(text));

        // Then every character, space and newline is back
        Assert.Equal(text, decoded);
    }

    [Fact]
    public void ReservedIdsAreFixed_When_ATokenizerIsTrained()
    {
        // Given / When a trained tokenizer
        // Then pad, bos, eos and unk sit at the documented ids with the documented pieces
        Assert.Equal(SpecialTokens.Default, Tokenizer.Special);
        Assert.Equal("<pad>", Tokenizer.IdToPiece(0));
        Assert.Equal("<s>", Tokenizer.IdToPiece(1));
        Assert.Equal("</s>", Tokenizer.IdToPiece(2));
        Assert.Equal("<unk>", Tokenizer.IdToPiece(3));
        Assert.Equal(PieceKind.Control, Tokenizer.KindOf(Tokenizer.Special.EosId));
        Assert.Equal(4000, Tokenizer.VocabSize);
    }

    [Fact]
    public void LanguageTagsEncodeAsOneTokenEach_When_TheyAreUserDefinedSymbols()
    {
        // Given text that starts with the configured language tags
        var ids = Tokenizer.Encode("<2de><2en>Hallo");

        // Then each tag is a single token, with ids after the reserved ones in configured order
        Assert.Equal(4, Tokenizer.PieceToId("<2en>"));
        Assert.Equal(5, Tokenizer.PieceToId("<2de>"));
        Assert.Equal([5, 4], ids[..2]);
        Assert.Equal("<2de><2en>Hallo", Tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("ሰላም ለዓለም")]             // Ethiopic: not in the demo corpus
    [InlineData("გამარჯობა")]              // Georgian
    [InlineData("ok 👍🏽 🇩🇪 🧑‍💻")]  // emoji, skin tone, flag, ZWJ sequence
    public void UnseenCharactersBecomeBytePieces_When_TheScriptIsNotInTheVocabulary(string text)
    {
        // When text in a script the tokenizer never saw is encoded
        var ids = Tokenizer.Encode(text);

        // Then it falls back to UTF-8 byte pieces (never <unk>) and decodes losslessly
        Assert.DoesNotContain(Tokenizer.Special.UnkId, ids);
        Assert.Contains(ids, id => Tokenizer.KindOf(id) == PieceKind.Byte);
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Fact]
    public void DigitsAreSeparateTokens_When_SplitDigitsIsOn()
    {
        // When a number is encoded
        var ids = Tokenizer.Encode("2024");

        // Then each digit is its own token
        Assert.Equal(["2", "0", "2", "4"], ids.Select(Tokenizer.IdToPiece));
    }

    [Fact]
    public void BatchMatchesSingleEncoding_When_ManyTextsAreEncodedInParallel()
    {
        // Given a few thousand paragraphs in several languages
        var texts = DemoCorpus.MonoFiles.Values.SelectMany(f => DemoCorpus.ReadLines(f).Take(300)).ToList();

        // When they are encoded as a parallel batch
        var batch = Tokenizer.EncodeBatch(texts, maxDegreeOfParallelism: 4);

        // Then every result equals the single-text encoding of the same text
        Assert.Equal(texts.Count, batch.Length);
        for (var i = 0; i < texts.Count; i++)
            Assert.Equal(Tokenizer.Encode(texts[i]), batch[i]);
    }

    [Fact]
    public void TokenBatchHoldsEachTextsIds_When_ReusedForBatchesOfOtherSizes()
    {
        // Given one token batch, reused for a large batch on several threads and then a smaller one
        var texts = DemoCorpus.MonoFiles.Values.SelectMany(f => DemoCorpus.ReadLines(f).Take(300)).ToList();
        var fewer = texts.Take(7).Prepend("").ToList();
        using var batch = new TokenBatch();

        foreach (var (input, threads) in new[] { (texts, 4), (fewer, 1) })
        {
            // When the texts are encoded into it
            Tokenizer.EncodeBatch(input, batch, threads);

            // Then text i's ids are the single-text encoding of text i, and nothing of the earlier fill is left
            Assert.Equal(input.Count, batch.Count);
            for (var i = 0; i < input.Count; i++)
                Assert.Equal(Tokenizer.Encode(input[i]), batch[i].ToArray());
            Assert.Equal(input.Sum(t => (long)Tokenizer.Encode(t).Length), batch.TotalTokens);
            Assert.Throws<ArgumentOutOfRangeException>(() => batch[input.Count].Length);
        }
    }

    [Fact]
    public void Utf8TextsEncodeAsTheirStrings_When_GivenAsBytesOnSeveralThreads()
    {
        // Given texts in every demo language, added as UTF-8 to a batch that starts far too small
        var texts = DemoCorpus.MonoFiles.Values.SelectMany(f => DemoCorpus.ReadLines(f).Take(200)).Append("").ToList();
        using var utf8 = new Utf8TextBatch(bytes: 16);
        foreach (var text in texts)
            utf8.Add(Encoding.UTF8.GetBytes(text));

        // When the bytes and the strings are encoded
        using var fromBytes = new TokenBatch();
        Tokenizer.EncodeBatch(utf8, fromBytes, maxDegreeOfParallelism: 3);
        var fromStrings = Tokenizer.EncodeBatch(texts, maxDegreeOfParallelism: 1);

        // Then the batch holds every text's bytes, and both give the same ids
        Assert.Equal(texts.Count, utf8.Count);
        Assert.Equal(texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t)), utf8.TotalBytes);
        Assert.Equal(Encoding.UTF8.GetBytes(texts[^2]), utf8[texts.Count - 2].ToArray());
        Assert.Equal(fromStrings, fromBytes.ToArrays());
    }

    [Fact]
    public void TryEncodeNamesTheFirstInvalidText_When_SomeBytesAreNotUtf8()
    {
        // Given 600 texts of which 50 and 400 hold a stray 0xFF, enough for several chunks on three threads
        using var utf8 = new Utf8TextBatch();
        for (var i = 0; i < 600; i++)
            utf8.Add(i is 50 or 400 ? [.. "ab"u8, 0xFF] : Encoding.UTF8.GetBytes(new string('x', 200) + $" text {i}"));
        using var ids = new TokenBatch();

        // When they are encoded
        var encoded = Tokenizer.TryEncodeBatch(utf8, ids, out var firstInvalid, maxDegreeOfParallelism: 3);
        var error = Assert.Throws<TokenizerException>(() => Tokenizer.EncodeBatch(utf8, ids, maxDegreeOfParallelism: 3));

        // Then the first invalid text is named, by the Try form and in the exception
        Assert.False(encoded);
        Assert.Equal(50, firstInvalid);
        Assert.Contains("text 50 ", error.Message);
    }

    [Fact]
    public void EmptyTextEncodesToNothing_When_Encoded()
    {
        Assert.Empty(Tokenizer.Encode(""));
        Assert.Equal("", Tokenizer.Decode([]));
    }

    [Fact]
    public void DecodeThrowsNamingTheId_When_AnIdIsOutsideTheVocabulary()
    {
        var error = Assert.Throws<TokenizerException>(() => Tokenizer.Decode([5, 99999]));
        Assert.Contains("99999", error.Message);
    }

    [Fact]
    public void LoadThrowsNamingTheFile_When_TheFileIsNotASentencePieceModel()
    {
        // Given a text file posing as a model
        var path = Path.Combine(trained.Directory, "not-a-model.model");
        File.WriteAllText(path, "this is not a protobuf", Encoding.UTF8);

        // When it is loaded, then the error names the file and says what to pass instead
        var error = Assert.Throws<TokenizerException>(() => SentencePieceTokenizer.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a SentencePiece model", error.Message);
    }

    [Fact]
    public void LoadThrowsNamingTheFile_When_TheFileDoesNotExist()
    {
        var path = Path.Combine(trained.Directory, "missing.model");
        var error = Assert.Throws<TokenizerException>(() => SentencePieceTokenizer.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void RepeatedWordsComeFromThePieceCache_When_ATokenizerTrainedHereEncodes()
    {
        // Given a tokenizer trained here (BPE, whitespace-split pieces, identity normalization)
        using var tokenizer = SentencePieceTokenizer.Load(trained.Summary.ModelPath);
        Assert.Null(tokenizer.PieceCacheOffReason);

        // When one sentence is encoded twice on one thread
        var first = tokenizer.Encode("the cat and the dog");
        var second = tokenizer.Encode("the cat and the dog");

        // Then the second time each of its pieces ("the", " cat", " and", " the", " dog") is a hit
        var stats = tokenizer.GetPieceCacheStatistics();
        Assert.Equal(first, second);
        Assert.Equal(new PieceCacheStatistics(Pieces: 10, Hits: 5, Bytes: 38, HitBytes: 19, Resets: 0, SharedHits: 0, SharedHitBytes: 0, SharedResets: 0), stats);
    }

    [Fact]
    public void AnEncodeBesideAnotherHitsTheSharedCache_When_AnEarlierEncodeHadThePiecesFirst()
    {
        // Given a tokenizer trained here and a sentence of five distinct pieces
        using var tokenizer = SentencePieceTokenizer.Load(trained.Summary.ModelPath);
        const string text = "the cat and the dog";

        // When it is encoded once, then twice while that first encode's cache slot is held (as by an encode still running)
        var first = tokenizer.Encode(text);
        var held = tokenizer.RentSlot();
        var (second, again) = (tokenizer.Encode(text), tokenizer.Encode(text));
        tokenizer.ReturnSlot(held);

        // Then the second encode takes all five pieces from the shared cache (its slot's own is empty)
        // and the third from its slot's cache, with the same ids throughout
        Assert.Equal(0, held);
        Assert.Equal(first, second);
        Assert.Equal(first, again);
        Assert.Equal(new PieceCacheStatistics(Pieces: 15, Hits: 10, Bytes: 57, HitBytes: 38, Resets: 0, SharedHits: 5, SharedHitBytes: 19, SharedResets: 0),
            tokenizer.GetPieceCacheStatistics());
    }

    [Fact]
    public async Task AnEncodeOnAnotherThreadUsesTheWarmCache_When_NoOtherEncodeRuns()
    {
        // Given a sentence of five distinct pieces encoded once on a thread of its own
        using var tokenizer = SentencePieceTokenizer.Load(trained.Summary.ModelPath);
        const string text = "the cat and the dog";
        int[]? first = null, second = null;

        // When another thread encodes it after the first has finished
        await RunOnThreadsOfTheirOwnAsync(() => first = tokenizer.Encode(text), () => second = tokenizer.Encode(text));

        // Then the second finds every piece in the cache the first warmed (caches follow slots, not threads)
        Assert.Equal(first, second);
        Assert.Equal(new PieceCacheStatistics(Pieces: 10, Hits: 5, Bytes: 38, HitBytes: 19, Resets: 0, SharedHits: 0, SharedHitBytes: 0, SharedResets: 0),
            tokenizer.GetPieceCacheStatistics());
    }

    [Fact]
    public void TheSharedCacheClearsWithinTheSameBound_When_OneThreadEncodesMorePiecesThanItHolds()
    {
        // Given the smallest cache and 5,000 distinct pieces, far more than 64 KiB holds
        using var tokenizer = SentencePieceTokenizer.Load(trained.Summary.ModelPath, SentencePieceTokenizer.MinPieceCacheBytes);
        var text = string.Join(" ", Enumerable.Range(0, 5000).Select(i => $"w{i:D5}"));

        // When one thread encodes them
        var ids = tokenizer.Encode(text);

        // Then both levels filled and cleared, the shared one (same budget, same inserts in the
        // same order) exactly as often as the thread's own, and the ids still decode to the text
        var stats = tokenizer.GetPieceCacheStatistics();
        Assert.Equal(5000, stats.Pieces);
        Assert.Equal(0, stats.Hits);
        Assert.True(stats.Resets >= 2, $"resets {stats.Resets}");
        Assert.Equal(stats.Resets, stats.SharedResets);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void WhitespaceRunsArePieces_When_TheTrainingTextHasThem()
    {
        // Given / When a model trained on indented text (the stress test of the piece cut needs one)
        // Then runs of whitespace are vocabulary pieces, and the model still uses the cache
        Assert.NotEqual(kinds.Indented.Special.UnkId, kinds.Indented.PieceToId("▁▁"));
        Assert.Null(kinds.Indented.PieceCacheOffReason);
    }

    [Fact]
    public void PieceCacheIsOff_When_TheModelIsUnigram()
    {
        // Given / When a unigram model, which segments the whole text at once
        // Then it is encoded without the cache, and says why
        Assert.Contains("not a BPE model", kinds.Unigram.PieceCacheOffReason);
        kinds.Unigram.Encode("the cat and the cat");
        Assert.Equal(0, kinds.Unigram.GetPieceCacheStatistics().Pieces);
    }

    [Fact]
    public void PieceCacheIsOff_When_TheModelWasTrainedWithoutSplitByWhitespace()
    {
        Assert.Contains("split_by_whitespace=false", kinds.Unsplit.PieceCacheOffReason);
    }

    [Fact]
    public void PieceCacheIsOff_When_ItsSizeIsZero()
    {
        using var tokenizer = SentencePieceTokenizer.Load(trained.Summary.ModelPath, pieceCacheBytes: 0);
        Assert.Equal("piece cache disabled", tokenizer.PieceCacheOffReason);
    }

    [Fact]
    public void LoadThrowsNamingTheMinimum_When_ThePieceCacheIsTooSmall()
    {
        var error = Assert.Throws<TokenizerException>(() => SentencePieceTokenizer.Load(trained.Summary.ModelPath, pieceCacheBytes: 1000));
        Assert.Contains("65536", error.Message);
    }

    // Runs each step on a new thread of its own, one after another, and keeps every thread alive
    // until the last step is done, so that no two steps share a thread.
    private static async Task RunOnThreadsOfTheirOwnAsync(params Action[] steps)
    {
        var release = new ManualResetEventSlim();
        try
        {
            foreach (var step in steps)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                new Thread(() =>
                {
                    try
                    {
                        step();
                        done.SetResult();
                    }
                    catch (Exception e)
                    {
                        done.SetException(e);
                    }
                    release.Wait();
                }) { IsBackground = true }.Start();
                await done.Task;
            }
        }
        finally
        {
            release.Set();
        }
    }
}
