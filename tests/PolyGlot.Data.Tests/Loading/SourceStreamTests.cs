using PolyGlot.Data.Loading;
using PolyGlot.Data.Packing;

namespace PolyGlot.Data.Tests.Loading;

public sealed class SourceStreamTests
{
    // Two shards of three documents: lengths 3..5, all tokens unique.
    private static readonly int[][] Lengths = [[3, 4, 5], [5, 3, 4]];

    private static (SourceStream Stream, SourceState State, MemoryShardReader Reader) Create(ulong seed = 7, IReadOnlySet<string>? filter = null)
    {
        var reader = new MemoryShardReader();
        var source = reader.Add("web", "g", SyntheticCorpus.Shards("web", 0, Lengths, (h, d) => d == 1 ? "de" : "en"), filter);
        var state = new SourceState { Name = "web" };
        return (new SourceStream(source, reader, new LanguageTable(["de", "en"]), seed, state, readAhead: false), state, reader);
    }

    private static List<int[]> Documents(ITokenStream stream, int count)
    {
        var documents = new List<int[]>();
        for (var k = 0; k < count; k++)
        {
            var document = new List<int>();
            while (document.Count == 0 || document[^1] != SyntheticCorpus.Eos)
                document.AddRange(stream.Next(int.MaxValue).Tokens.ToArray());
            documents.Add(document.ToArray());
        }
        return documents;
    }

    private static (int Shard, int Document) Origin(int[] document) =>
        ((document[0] % 1_000_000) / 10_000, (document[0] % 10_000) / 100);

    [Fact]
    public void AnEpochDeliversEveryDocumentOnce_When_TheSourceIsShuffled()
    {
        var (stream, state, _) = Create();

        var epoch = Documents(stream, 6).Select(Origin).ToList();

        Assert.Equal(6, epoch.Distinct().Count());
        Assert.Equal(0, state.Epoch);
    }

    [Fact]
    public void TheOrderIsFixedBySeed_When_TheSeedIs7()
    {
        // A pinned order: a change to the shuffle changes every run's data and must be deliberate.
        var (stream, _, _) = Create(seed: 7);

        var order = Documents(stream, 6).Select(Origin).ToList();

        Assert.Equal(string.Join(" ", new (int, int)[] { (0, 1), (0, 0), (0, 2), (1, 1), (1, 0), (1, 2) }), string.Join(" ", order));
    }

    [Fact]
    public void DocumentsStayTogetherPerShard_When_TheSourceIsShuffled()
    {
        // Shard-then-document shuffling keeps memory to one shard: the first three documents share a shard.
        var (stream, _, _) = Create(seed: 99);

        var shards = Documents(stream, 6).Select(d => Origin(d).Shard).ToList();

        Assert.Single(shards.Take(3).Distinct());
        Assert.Single(shards.Skip(3).Distinct());
    }

    [Fact]
    public void TheDocumentsOfARowGroupFollowEachOther_When_TheShuffleUnitIsRowGroups()
    {
        // Given one shard of 12 documents in 4 row groups of 3
        var shard = SyntheticCorpus.Shards("web", 0, [Enumerable.Repeat(4, 12).ToArray()], (_, _) => "en").Single();
        var blocks = new ShardDocuments(shard.Path, shard.Offsets, shard.Languages, [0, 3, 6, 9, 12], new ArrayBlocks(shard, 3));
        var reader = new MemoryShardReader();
        var source = reader.Add("web", "g", [blocks]);
        var stream = new SourceStream(source, reader, new LanguageTable(["en"]), 7, new SourceState { Name = "web" }, readAhead: false,
            shuffle: ShuffleUnit.RowGroups);

        // When one epoch is read
        var documents = Documents(stream, 12).Select(d => Origin(d).Document).ToList();

        // Then every document comes once, each run of three is one row group, and the groups and the
        // documents inside them are shuffled
        Assert.Equal(Enumerable.Range(0, 12), documents.Order());
        var groups = documents.Chunk(3).Select(run => run.Select(d => d / 3).Distinct().Single()).ToList();
        Assert.NotEqual([0, 1, 2, 3], groups);
        Assert.NotEqual(Enumerable.Range(0, 12), documents);
    }

    /// <summary>Serves a flat shard's tokens as row groups of a fixed number of documents.</summary>
    private sealed class ArrayBlocks(ShardDocuments shard, int documentsPerBlock) : IShardBlockReader
    {
        public int[] ReadBlock(int block, int expectedTokens) =>
            Enumerable.Range(block * documentsPerBlock, documentsPerBlock).SelectMany(d => shard.Document(d).ToArray()).ToArray();

        public void Dispose()
        {
        }
    }

    [Fact]
    public void TheNextEpochIsReshuffled_When_TheSourceIsExhausted()
    {
        var (stream, state, _) = Create(seed: 7);

        var first = Documents(stream, 6).Select(Origin).ToList();
        var second = Documents(stream, 6).Select(Origin).ToList();

        Assert.Equal(1, state.Epoch);
        Assert.NotEqual(first, second);
        Assert.Equal(first.Order(), second.Order());
    }

    [Fact]
    public void OnlyFilteredLanguagesAreDelivered_When_ALanguageFilterIsSet()
    {
        var (stream, _, _) = Create(filter: new HashSet<string> { "de" });

        var documents = Documents(stream, 4).Select(Origin).ToList();

        Assert.All(documents, d => Assert.Equal(1, d.Document));
    }

    [Fact]
    public void ReadingContinuesMidDocument_When_ANewStreamStartsFromACopiedState()
    {
        // Given a stream stopped inside a document
        var (stream, state, reader) = Create();
        Documents(stream, 2);
        stream.Next(2);
        var copy = state.Clone();

        // When a new stream starts from the copy
        var resumed = new SourceStream(new LoaderSource("web", "g", Enumerable.Range(0, 2).Select(h => $"web/shard-{h:D5}.parquet").ToList(), null, 24),
            reader, new LanguageTable(["de", "en"]), 7, copy, readAhead: false);

        // Then both deliver the same tokens from there on
        Assert.Equal(Documents(stream, 7).SelectMany(d => d), Documents(resumed, 7).SelectMany(d => d));
    }

    [Fact]
    public void AOneShardSourceIsReadOnce_When_ItWrapsThroughSeveralEpochs()
    {
        var reader = new MemoryShardReader();
        var source = reader.Add("small", "g", SyntheticCorpus.Shards("small", 0, [[3, 4]], (_, _) => "en"));
        var state = new SourceState { Name = "small" };
        var stream = new SourceStream(source, reader, new LanguageTable(["en"]), 7, state, readAhead: true);

        Documents(stream, 9);

        Assert.Equal(4, state.Epoch);
        Assert.Equal(1, reader.Reads);
    }

    [Fact]
    public void TheShardErrorNamesTheFile_When_AShardCannotBeRead()
    {
        var reader = new MemoryShardReader();
        var source = new LoaderSource("gone", "g", ["/data/gone/shard-00000.parquet"], null, 10);
        var stream = new SourceStream(source, reader, new LanguageTable(["en"]), 7, new SourceState { Name = "gone" }, readAhead: false);

        var error = Assert.Throws<InvalidDataException>(() => stream.Next(4));

        Assert.Contains("/data/gone/shard-00000.parquet", error.Message);
    }
}
