using System.Diagnostics;
using System.Text;

namespace PolyGlot.Tokenization.Tests;

/// <summary>Checks our encoder against SentencePiece's own command-line encoder (Debian package <c>sentencepiece</c>, installed by scripts/setup.sh).</summary>
[Collection(TrainedTokenizerCollection.Name)]
public sealed class SpmEncodeReferenceTests(TrainedTokenizerFixture trained, TokenizerKindsFixture kinds)
{
    public static TheoryData<string> Kinds => ["bpe", "bpe-indented", "unigram", "bpe-unsplit"];

    public static TheoryData<string> CachedKinds => ["bpe", "bpe-indented"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void IdsEqualSpmEncode_When_EveryLineOfTheDemoCorpusIsEncoded(string kind)
    {
        // Given every line of the demo corpus, every language, pairs with their tab included
        var tokenizer = TokenizerOf(kind);
        var lines = DemoCorpus.AllLines().ToList();

        // When both encoders encode them (ours on all cores, each thread with its own piece cache)
        var ours = tokenizer.EncodeBatch(lines);
        var reference = RunSpmEncode(tokenizer.ModelPath, lines);

        // Then the ids are the same, line by line
        AssertSameIds(lines, reference, ours);
    }

    [Theory]
    [MemberData(nameof(CachedKinds))]
    public void IdsEqualSpmEncode_When_TextStressesThePieceCache(string kind)
    {
        // Given text made to find every edge of the piece cut: repeated words, runs of spaces, tabs
        // and U+2581, digits, emoji, unseen scripts, language tags, words longer than the cache takes
        var tokenizer = TokenizerOf(kind);
        var lines = StressLines(seed: 7, count: 6000);

        // When it is encoded twice (cold, then warm caches) through the smallest cache, which fills
        // and clears over and over, and once through the default one
        using var small = SentencePieceTokenizer.Load(tokenizer.ModelPath, pieceCacheBytes: SentencePieceTokenizer.MinPieceCacheBytes);
        var cold = small.EncodeBatch(lines);
        var warm = small.EncodeBatch(lines);
        var large = tokenizer.EncodeBatch(lines, maxDegreeOfParallelism: 1);
        var reference = RunSpmEncode(tokenizer.ModelPath, lines);

        // Then every encoding equals spm_encode's, and the small cache did hit and did clear
        AssertSameIds(lines, reference, cold);
        AssertSameIds(lines, reference, warm);
        AssertSameIds(lines, reference, large);
        var stats = small.GetPieceCacheStatistics();
        Assert.True(stats.Hits > 0 && stats.Resets > 0, $"hits {stats.Hits}, resets {stats.Resets}");
    }

    [Theory]
    [InlineData("bpe", SentencePieceTokenizer.MinPieceCacheBytes, true)]
    [InlineData("bpe", SentencePieceTokenizer.DefaultPieceCacheBytes, false)]
    [InlineData("bpe-indented", SentencePieceTokenizer.MinPieceCacheBytes, true)]
    public async Task IdsEqualSpmEncode_When_SeveralThreadsShareThePieceCache(string kind, long cacheBytes, bool sharedCacheClears)
    {
        // Given the stress text and one model loaded with the given cache size
        var model = TokenizerOf(kind).ModelPath;
        var lines = StressLines(seed: 11, count: 6000);
        using var tokenizer = SentencePieceTokenizer.Load(model, cacheBytes);

        // When four threads encode every line at the same time, one line per call, each
        // starting a quarter further on, so that each meets pieces the others have already seen
        const int threads = 4;
        using var start = new Barrier(threads);
        var encodings = await Task.WhenAll(Enumerable.Range(0, threads).Select(thread => Task.Factory.StartNew(() =>
        {
            var ids = new int[lines.Count][];
            start.SignalAndWait();
            for (var k = 0; k < lines.Count; k++)
            {
                var i = (k + thread * lines.Count / threads) % lines.Count;
                ids[i] = tokenizer.Encode(lines[i]);
            }
            return ids;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        var reference = RunSpmEncode(model, lines);

        // Then every thread's ids equal spm_encode's, threads took pieces from the shared cache,
        // and the smallest shared cache filled and cleared while they did
        foreach (var ids in encodings)
            AssertSameIds(lines, reference, ids);
        var stats = tokenizer.GetPieceCacheStatistics();
        Assert.True(stats.SharedHits > 0, $"shared hits {stats.SharedHits}");
        Assert.Equal(sharedCacheClears, stats.SharedResets > 0);
    }

    private SentencePieceTokenizer TokenizerOf(string kind) => kind switch
    {
        "bpe" => trained.Tokenizer,
        "bpe-indented" => kinds.Indented,
        "unigram" => kinds.Unigram,
        "bpe-unsplit" => kinds.Unsplit,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static List<string> StressLines(int seed, int count)
    {
        var random = new Random(seed);
        var words = DemoCorpus.ReadLines(DemoCorpus.HeldOutFile("de")).Take(50)
            .Concat(DemoCorpus.ReadLines(DemoCorpus.HeldOutFile("ja")).Take(10))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray();
        string[] glue = [" ", "  ", "   ", "\t", " \t ", "\t\t", "▁", "▁▁", " ▁", "▁ ", " ▁ ", "", "\u00A0", "\u3000"];
        string[] specials =
        [
            "<2en>", "<2de>", "<2en><2de>", "x<2de>y", "<2en", "2de>", "0", "42", "2026", "3.14159", "1,000,000", "١٢٣",
            "👍🏽", "🇩🇪", "🧑‍💻", "😀😀😀", "ሰላም", "გამარჯობა", "▁", "▁▁▁▁", "a▁b", "▁x▁", "\u2581\u2581x",
        ];
        var lines = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var line = new StringBuilder();
            if (random.Next(4) == 0)
                line.Append(glue[random.Next(glue.Length)]);
            for (var n = random.Next(1, 24); n > 0; n--)
            {
                line.Append(random.Next(10) switch
                {
                    < 6 => words[random.Next(Math.Min(words.Length, 40 + i))],
                    < 8 => specials[random.Next(specials.Length)],
                    8 => random.NextInt64(0, 10_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => LongWord(random),
                });
                line.Append(glue[random.Next(glue.Length)]);
            }
            lines.Add(line.ToString());
        }
        // Lines of nothing but whitespace, and the empty line.
        lines.AddRange(["", " ", "    ", "\t", "▁", " ▁ ▁ "]);
        return lines;
    }

    // Around the 64-byte bound of cached pieces: 60..70 ASCII bytes or 20..24 three-byte characters.
    private static string LongWord(Random random) => random.Next(2) == 0
        ? new string((char)('a' + random.Next(26)), random.Next(60, 71))
        : string.Concat(Enumerable.Repeat("語", random.Next(20, 25)));

    private static void AssertSameIds(List<string> lines, List<int[]> reference, int[][] ours)
    {
        Assert.Equal(lines.Count, reference.Count);
        for (var i = 0; i < lines.Count; i++)
            Assert.True(reference[i].SequenceEqual(ours[i]), $"line {i} differs: {lines[i]}");
    }

    private static List<int[]> RunSpmEncode(string model, List<string> lines)
    {
        var start = new ProcessStartInfo("spm_encode", ["--model", model, "--output_format=id"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("spm_encode did not start; scripts/setup.sh installs it (apt package sentencepiece)");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(string.Join("\n", lines) + "\n");
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors.Result);
        return output.Result.Split('\n', StringSplitOptions.None).SkipLast(1)
            .Select(l => l.Length == 0 ? [] : l.Split(' ').Select(int.Parse).ToArray()).ToList();
    }
}
