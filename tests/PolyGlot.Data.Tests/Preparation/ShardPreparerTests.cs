using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.Data.Shards;
using PolyGlot.Parquet.Reading;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Tests.Preparation;

[Collection(SmallTokenizerCollection.Name)]
public sealed class ShardPreparerTests(SmallTokenizerFixture tokenizers) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-prepare-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CorpusSourceConfig MonoSource() => new()
    {
        Name = "demo-de", Path = Path.Combine(DemoFiles.Root, "mono", "gnome", "de.txt.gz"), Lang = "de",
    };

    private CorpusSourceConfig PairSource() => new()
    {
        Name = "demo-en-de", Path = Path.Combine(DemoFiles.Root, "heldout", "pairs", "gnome.en-de.tsv.gz"),
        Format = CorpusFormats.TsvPairs, SrcLang = "en", TgtLang = "de",
    };

    private ShardPreparationConfig Config(string output) => new()
    {
        Tokenizer = tokenizers.First.ModelPath, Output = Path.Combine(_dir, output), ShardTokens = 20_000, Threads = 2, BatchBytes = 64 * 1024,
    };

    private static Dictionary<string, byte[]> FilesOf(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    // Writes lines "Zeile 1" .. "Zeile <count>", except that the lines numbered in latin1Lines are "M\xFCn" (not UTF-8).
    private static string WriteGermanLines(string path, int count, params int[] latin1Lines)
    {
        var lines = Enumerable.Range(1, count).Select(n => latin1Lines.Contains(n) ? [.. "M"u8, 0xFC, .. "n"u8] : System.Text.Encoding.UTF8.GetBytes($"Zeile {n}"));
        File.WriteAllBytes(path, [.. lines.SelectMany(l => l.Append((byte)'\n'))]);
        return path;
    }

    [Fact]
    public void ShardsAndManifestAreByteIdentical_When_TheSameSourceIsPreparedTwice()
    {
        // When the same source is prepared into two output roots
        var first = new ShardPreparer(Config("a"), tokenizers.First);
        var second = new ShardPreparer(Config("b"), tokenizers.First);
        first.Prepare(MonoSource());
        second.Prepare(MonoSource());

        // Then both directories hold the same files with the same bytes, over several shards
        var a = FilesOf(first.DirectoryFor(MonoSource()));
        var b = FilesOf(second.DirectoryFor(MonoSource()));
        Assert.True(a.Count > 3, $"expected several shards, got {a.Count - 1}");
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var name in a.Keys)
            Assert.True(a[name].AsSpan().SequenceEqual(b[name]), $"{name} differs");
    }

    [Fact]
    public void ShardsAreByteIdentical_When_PreparedOnOneThreadAndOnFour()
    {
        // Given shards of several row groups each
        ShardPreparationConfig Threads(string output, int threads)
        {
            var config = Config(output);
            config.Threads = threads;
            config.ShardTokens = 3 * TokenShardWriter.RowGroupTokens;
            return config;
        }

        // When the same source is prepared on one thread and on four (encoding and row-group compression)
        var one = new ShardPreparer(Threads("one", 1), tokenizers.First);
        var four = new ShardPreparer(Threads("four", 4), tokenizers.First);
        one.Prepare(MonoSource());
        four.Prepare(MonoSource());

        // Then every file has the same bytes
        var a = FilesOf(one.DirectoryFor(MonoSource()));
        var b = FilesOf(four.DirectoryFor(MonoSource()));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var name in a.Keys)
            Assert.True(a[name].AsSpan().SequenceEqual(b[name]), $"{name} differs");
        using var reader = ParquetReader.Open(Path.Combine(one.DirectoryFor(MonoSource()), a.Keys.Order().First(k => k.EndsWith(".parquet", StringComparison.Ordinal))));
        Assert.True(reader.RowGroupCount >= 3, $"expected several row groups per shard, got {reader.RowGroupCount}");
    }

    [Fact]
    public void ManifestTotalsMatchTheShards_When_ASourceIsPrepared()
    {
        var preparer = new ShardPreparer(Config("out"), tokenizers.First);
        preparer.Prepare(MonoSource());

        var directory = preparer.DirectoryFor(MonoSource());
        var shards = ShardDirectory.ListShards(directory, verifyHashes: true, out var manifest);
        Assert.Equal(manifest.Shards.Count, shards.Count);
        Assert.Equal(manifest.Tokens, manifest.Shards.Sum(s => s.Tokens));
        Assert.Equal(manifest.Tokens, manifest.TokensPerLanguage["de"]);
        Assert.Equal(["de"], manifest.Languages);
        Assert.Equal(tokenizers.First.ComputeSha256(), manifest.Tokenizer.Sha256);
        Assert.Equal((2, 1, 0), (manifest.Tokenizer.EosId, manifest.Tokenizer.BosId, manifest.Tokenizer.PadId));
        var bytes = CorpusReader.ReadDocuments(MonoSource()).Sum(d => (long)System.Text.Encoding.UTF8.GetByteCount(d.Text));
        Assert.Equal(bytes, manifest.BytesPerLanguage["de"]);
        Assert.All(manifest.Shards.SkipLast(1), s => Assert.True(s.Tokens >= 20_000));
        Assert.Null(manifest.Template);
    }

    [Fact]
    public void EachShardCountsTheTokensAndBytesOfItsRowsPerLanguage_When_LanguagesAreInterleaved()
    {
        // Given JSON lines in five languages in a shuffled order, each document's language read from its row
        string[] languages = ["de", "en", "fr", "zh", "ru"];
        var path = Path.Combine(_dir, "mixed.jsonl");
        var random = new Random(5);
        var documents = Enumerable.Range(0, 5000)
            .Select(n => (Lang: languages[random.Next(languages.Length)], Text: $"Satz {n}: {new string('ä', n % 50)} Ende"))
            .ToList();
        File.WriteAllLines(path, documents.Select(d => System.Text.Json.JsonSerializer.Serialize(new { text = d.Text, lang = d.Lang })));
        var source = new CorpusSourceConfig { Name = "mixed", Path = path, Format = CorpusFormats.Jsonl, LangField = "lang" };

        // When it is prepared into several shards
        var preparer = new ShardPreparer(Config("out"), tokenizers.First);
        preparer.Prepare(source);

        // Then each shard's entry holds exactly its rows' tokens per language, and the manifest their bytes
        var directory = preparer.DirectoryFor(source);
        var paths = ShardDirectory.ListShards(directory, verifyHashes: true, out var manifest);
        Assert.True(paths.Count > 2, $"expected several shards, got {paths.Count}");
        for (var shard = 0; shard < paths.Count; shard++)
        {
            var counted = ShardTestReader.ReadShard(paths[shard]).GroupBy(r => r.Lang).ToDictionary(g => g.Key, g => (long)g.Sum(r => r.Ids.Length));
            Assert.Equal(counted.OrderBy(c => c.Key, StringComparer.Ordinal), manifest.Shards[shard].TokensPerLanguage);
        }
        var bytes = documents.GroupBy(d => d.Lang).ToDictionary(g => g.Key, g => g.Sum(d => (long)System.Text.Encoding.UTF8.GetByteCount(d.Text)));
        Assert.Equal(bytes.OrderBy(b => b.Key, StringComparer.Ordinal), manifest.BytesPerLanguage);
        Assert.Equal(languages.Order(StringComparer.Ordinal), manifest.Languages);
    }

    [Fact]
    public void EveryRowIsTheDocumentsTokensFollowedByEos_When_ShardsAreRead()
    {
        var preparer = new ShardPreparer(Config("out"), tokenizers.First);
        preparer.Prepare(MonoSource());

        var documents = CorpusReader.ReadDocuments(MonoSource()).Select(d => d.Text).ToList();
        var rows = ShardTestReader.ReadAll(preparer.DirectoryFor(MonoSource()));
        Assert.Equal(documents.Count, rows.Count);
        for (var i = 0; i < rows.Count; i += 97)
        {
            Assert.Equal([.. tokenizers.First.Encode(documents[i]), tokenizers.First.Special.EosId], rows[i].Ids);
            Assert.Equal(("de", "demo-de"), (rows[i].Lang, rows[i].Source));
        }
    }

    [Fact]
    public void RowsAreTheTokensOfTheLinesAsInTheFile_When_ATextFileHasABomCrlfUnicodeBlanksAndALongLine()
    {
        // Given an awkward text file (read as bytes by prepare, never as strings)
        var (content, expected, _) = PolyGlot.Data.Tests.Corpus.CorpusReaderTests.AwkwardLines();
        var path = Path.Combine(_dir, "awkward.txt");
        File.WriteAllBytes(path, content);
        var source = new CorpusSourceConfig { Name = "awkward", Path = path, Lang = "de" };

        // When it is prepared on several threads
        var preparer = new ShardPreparer(Config("out"), tokenizers.First);
        preparer.Prepare(source);

        // Then each row is the string encoding of one document, then eos, and the manifest counts its UTF-8 bytes
        var rows = ShardTestReader.ReadAll(preparer.DirectoryFor(source));
        Assert.Equal(expected.Select(d => (int[])[.. tokenizers.First.Encode(d), tokenizers.First.Special.EosId]), rows.Select(r => r.Ids));
        var manifest = ShardManifest.Load(preparer.DirectoryFor(source));
        Assert.Equal(expected.Sum(d => (long)System.Text.Encoding.UTF8.GetByteCount(d)), manifest.BytesPerLanguage["de"]);
    }

    [Fact]
    public void PairsBecomeTemplatedDocumentsInBothDirections_When_ABilingualSourceIsPrepared()
    {
        // Given a bilingual source and a template with a language tag
        var config = Config("out");
        config.Template = "<2{tgt_lang}>{src_text}\n{tgt_text}";
        var preparer = new ShardPreparer(config, tokenizers.First);

        // When it is prepared
        preparer.Prepare(PairSource());

        // Then each pair gives en-de then de-en, formatted by the template, ending in eos
        var pair = CorpusReader.ReadPairs(PairSource()).First();
        var rows = ShardTestReader.ReadAll(preparer.DirectoryFor(PairSource()));
        Assert.Equal(2 * CorpusReader.ReadPairs(PairSource()).Count(), rows.Count);
        Assert.Equal(("en-de", "de-en"), (rows[0].Lang, rows[1].Lang));
        Assert.Equal($"<2de>{pair.SourceText}\n{pair.TargetText}", tokenizers.First.Decode(rows[0].Ids[..^1]));
        Assert.Equal($"<2en>{pair.TargetText}\n{pair.SourceText}", tokenizers.First.Decode(rows[1].Ids[..^1]));
        var manifest = ShardManifest.Load(preparer.DirectoryFor(PairSource()));
        Assert.Equal((SourceKinds.Bilingual, config.Template), (manifest.Kind, manifest.Template));
        Assert.Equal(["de-en", "en-de"], manifest.Languages);
    }

    [Fact]
    public void InterruptedRunResumesAndEndsIdenticalToAnUninterruptedOne_When_RunAgain()
    {
        // Given a run that dies after its second shard, leaving a half-written temporary file ...
        var reference = new ShardPreparer(Config("reference"), tokenizers.First);
        reference.Prepare(MonoSource());
        var crashing = new ShardPreparer(Config("out"), tokenizers.First)
        {
            Progress = p => { if (p.Shards >= 2) throw new SimulatedCrashException(); },
        };
        Assert.Throws<SimulatedCrashException>(() => crashing.Prepare(MonoSource()));
        var directory = crashing.DirectoryFor(MonoSource());
        Assert.False(File.Exists(Path.Combine(directory, ShardManifest.FileName)));
        var recorded = PrepareProgress.TryLoad(directory)!.Shards.Count;
        Assert.True(recorded >= 2, $"{recorded} shards recorded before the crash");
        // ... plus what a crash between rename and progress record leaves: an unrecorded shard.
        File.WriteAllText(Path.Combine(directory, $".{ShardEntry.FileNameFor(recorded)}.abc.tmp"), "partial");
        File.Copy(Path.Combine(directory, "shard-00000.parquet"), Path.Combine(directory, ShardEntry.FileNameFor(recorded)));

        // When it runs again
        var outcome = new ShardPreparer(Config("out"), tokenizers.First).Prepare(MonoSource());

        // Then it resumed, and the result equals the uninterrupted run byte for byte
        Assert.Equal(PrepareOutcome.Resumed, outcome);
        var expected = FilesOf(reference.DirectoryFor(MonoSource()));
        var actual = FilesOf(directory);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var name in expected.Keys)
            Assert.True(expected[name].AsSpan().SequenceEqual(actual[name]), $"{name} differs");
    }

    [Fact]
    public void SecondRunDoesNothing_When_TheSourceIsAlreadyPrepared()
    {
        var preparer = new ShardPreparer(Config("out"), tokenizers.First);
        preparer.Prepare(MonoSource());
        var written = File.GetLastWriteTimeUtc(Path.Combine(preparer.DirectoryFor(MonoSource()), "shard-00000.parquet"));

        Assert.Equal(PrepareOutcome.UpToDate, preparer.Prepare(MonoSource()));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(preparer.DirectoryFor(MonoSource()), "shard-00000.parquet")));
    }

    [Fact]
    public void RefusesNamingBothHashes_When_TheTokenizerChanged()
    {
        // Given shards made with one tokenizer
        new ShardPreparer(Config("out"), tokenizers.First).Prepare(MonoSource());
        var before = FilesOf(Path.Combine(_dir, "out", "demo-de"));

        // When the same source is prepared with another tokenizer
        var other = Config("out");
        other.Tokenizer = tokenizers.Second.ModelPath;
        var error = Assert.Throws<InvalidDataException>(() => new ShardPreparer(other, tokenizers.Second).Prepare(MonoSource()));

        // Then the error names both hashes and the way out, and nothing was touched
        Assert.Contains(tokenizers.First.ComputeSha256(), error.Message);
        Assert.Contains(tokenizers.Second.ComputeSha256(), error.Message);
        Assert.Contains("--force", error.Message);
        var after = FilesOf(Path.Combine(_dir, "out", "demo-de"));
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
    }

    [Fact]
    public void RedoesTheSource_When_TheTokenizerChangedAndForceIsSet()
    {
        new ShardPreparer(Config("out"), tokenizers.First).Prepare(MonoSource());
        var other = Config("out");
        var preparer = new ShardPreparer(other, tokenizers.Second) { Force = true };

        Assert.Equal(PrepareOutcome.Prepared, preparer.Prepare(MonoSource()));
        Assert.Equal(tokenizers.Second.ComputeSha256(), ShardManifest.Load(preparer.DirectoryFor(MonoSource())).Tokenizer.Sha256);
    }

    [Fact]
    public void ErrorNamesFileAndLineAndNoManifestIsWritten_When_TheInputHasInvalidUtf8()
    {
        // Given a text file whose third line is Latin-1
        var path = Path.Combine(_dir, "bad.txt");
        File.WriteAllBytes(path, [.. "eins\nzwei\n"u8, 0x4D, 0xFC, 0x6E, 0x0A]);
        var source = new CorpusSourceConfig { Name = "bad", Path = path, Lang = "de" };
        var preparer = new ShardPreparer(Config("out"), tokenizers.First);

        // When it is prepared, then the error names the file and line, and the source is not finished
        var error = Assert.Throws<CorpusFormatException>(() => preparer.Prepare(source));
        Assert.Equal((path, "line 3"), (error.File, error.Position));
        Assert.False(File.Exists(Path.Combine(preparer.DirectoryFor(source), ShardManifest.FileName)));
    }

    [Theory]
    [InlineData(1 << 20)] // one batch, checked on four threads
    [InlineData(2048)] // many batches, two encoded at once
    public void ErrorNamesTheEarliestBadLine_When_SeveralLinesAreNotUtf8(int batchBytes)
    {
        // Given 5,000 lines of which 1,234 and 1,434 hold a Latin-1 byte (with 2 KiB batches: in adjacent ones, encoded at once)
        var path = WriteGermanLines(Path.Combine(_dir, "bad.txt"), 5000, 1234, 1434);
        var source = new CorpusSourceConfig { Name = "bad", Path = path, Lang = "de" };
        var config = Config("out");
        config.Threads = 4;
        config.BatchBytes = batchBytes;

        for (var attempt = 0; attempt < 3; attempt++)
        {
            // When it is prepared
            var error = Assert.Throws<CorpusFormatException>(() => new ShardPreparer(config, tokenizers.First) { Force = true }.Prepare(source));

            // Then the error names the first bad line and its byte, every time
            Assert.Equal((path, "line 1234"), (error.File, error.Position));
            Assert.Contains("byte 1 ", error.Message);
        }
    }

    [Fact]
    public void ErrorNamesTheEarlierBatchesBadLine_When_ALaterBatchFailsFirst()
    {
        // Given bad lines in two adjacent batches (encoded at once), the earlier batch's encode slowed down
        var path = WriteGermanLines(Path.Combine(_dir, "bad.txt"), 1000, 300, 500);
        var source = new CorpusSourceConfig { Name = "bad", Path = path, Lang = "de" };
        var config = Config("out");
        config.BatchBytes = 2048;
        var slowed = new SlowBatchTokenizer(tokenizers.First, "Zeile 299"u8.ToArray(), TimeSpan.FromMilliseconds(300));

        // When it is prepared, then the error names the earlier batch's line, though the later batch failed first
        var error = Assert.Throws<CorpusFormatException>(() => new ShardPreparer(config, slowed).Prepare(source));
        Assert.Equal((path, "line 300"), (error.File, error.Position));
    }

    [Fact]
    public void ErrorNamesTheBadLine_When_ReadingTheNextFileFailsWhileTheLinesBatchIsEncoded()
    {
        // Given a.txt whose line 850 is Latin-1, in its last full batch of 2 KiB (lines 694-921), then b.txt with no documents
        var directory = Directory.CreateDirectory(Path.Combine(_dir, "two")).FullName;
        WriteGermanLines(Path.Combine(directory, "a.txt"), 1000, 850);
        File.WriteAllText(Path.Combine(directory, "b.txt"), "\n \n");
        var source = new CorpusSourceConfig { Name = "two", Path = Path.Combine(directory, "*.txt"), Lang = "de" };
        var config = Config("out");
        config.BatchBytes = 2048;

        // When it is prepared on two threads (the batch with line 850 still encoding when b.txt is read)
        var error = Assert.Throws<CorpusFormatException>(() => new ShardPreparer(config, tokenizers.First).Prepare(source));

        // Then the error is the bad line, which comes first in the input, not the empty file after it
        Assert.Equal((Path.Combine(directory, "a.txt"), "line 850"), (error.File, error.Position));
    }

    [Fact]
    public void ShardsBeforeABadLineAreKeptAndTheRunResumesAfterTheFix_When_ALaterBatchIsNotUtf8()
    {
        // Given 4,000 lines in many small batches, of which line 3,900 holds a Latin-1 byte
        var path = Path.Combine(_dir, "late.txt");
        byte[] Line(int n, byte umlaut) => [.. System.Text.Encoding.UTF8.GetBytes($"Zeile {n} m"), umlaut, .. "ssig\n"u8];
        File.WriteAllBytes(path, [.. Enumerable.Range(1, 4000).SelectMany(n => Line(n, n == 3900 ? (byte)0xFC : (byte)'u'))]);
        var source = new CorpusSourceConfig { Name = "late", Path = path, Lang = "de" };
        var config = Config("out");
        config.ShardTokens = 5_000;
        config.BatchBytes = 4096;

        // When it is prepared, the error names the line, and the shards finished before it are recorded
        var error = Assert.Throws<CorpusFormatException>(() => new ShardPreparer(config, tokenizers.First).Prepare(source));
        Assert.Equal((path, "line 3900"), (error.File, error.Position));
        var directory = Path.Combine(config.Output, source.Name);
        var recorded = PrepareProgress.TryLoad(directory)!.Shards.Count;
        Assert.True(recorded >= 3, $"{recorded} shards recorded before the bad line");

        // When the byte is fixed (same length) and it runs again, it resumes after those shards
        File.WriteAllBytes(path, [.. Enumerable.Range(1, 4000).SelectMany(n => Line(n, (byte)'u'))]);
        var outcome = new ShardPreparer(config, tokenizers.First).Prepare(source);

        // Then the result is every line's tokens in order, like a run that never failed
        Assert.Equal(PrepareOutcome.Resumed, outcome);
        var rows = ShardTestReader.ReadAll(directory);
        Assert.Equal(4000, rows.Count);
        foreach (var n in new[] { 1, 2000, 3899, 3900, 4000 })
            Assert.Equal([.. tokenizers.First.Encode($"Zeile {n} mussig"), tokenizers.First.Special.EosId], rows[n - 1].Ids);
    }

    private sealed class SimulatedCrashException : Exception;
}
