using PolyGlot.Data.Packing;

namespace PolyGlot.Data.Tests.Packing;

public sealed class SequencePackerTests
{
    // Three documents (eos = 2): [10 11 12 2] [20 2] [30 31 32 33 34 2], languages 0, 1, 0.
    private static ListTokenStream Stream() => new(
        ([10, 11, 12, 2], 0), ([20, 2], 1), ([30, 31, 32, 33, 34, 2], 0));

    private static (int[] Tokens, int[] Languages, int[] Positions, int[] Segments) Pack(SequencePacker packer, ITokenStream stream, long[] counts)
    {
        var row = (new int[packer.RowLength], new int[packer.RowLength], new int[packer.RowLength], new int[packer.RowLength]);
        packer.Fill(stream, new PackedRow(row.Item1, row.Item2,
            packer.DocumentBoundaries ? row.Item3 : [], packer.DocumentBoundaries ? row.Item4 : []), counts);
        return row;
    }

    [Fact]
    public void RowsHoldDocumentsBackToBack_When_DocumentsAreShorterThanARow()
    {
        // Given seq_len 4, so rows of 5 tokens
        var packer = new SequencePacker(4, documentBoundaries: false);
        var stream = Stream();

        // When two rows are packed
        var first = Pack(packer, stream, new long[2]);
        var second = Pack(packer, stream, new long[2]);

        // Then the documents follow each other without gaps or padding
        Assert.Equal([10, 11, 12, 2, 20], first.Tokens);
        Assert.Equal([0, 0, 0, 0, 1], first.Languages);
        Assert.Equal([2, 30, 31, 32, 33], second.Tokens);
        Assert.Equal([1, 0, 0, 0, 0], second.Languages);
    }

    [Fact]
    public void EveryTokenIsDeliveredExactlyOnce_When_RowsCutThroughDocuments()
    {
        // Given rows of 3 tokens and 12 tokens of documents
        var packer = new SequencePacker(2, documentBoundaries: false);
        var stream = Stream();

        // When four rows are packed
        var delivered = Enumerable.Range(0, 4).SelectMany(_ => Pack(packer, stream, new long[2]).Tokens).ToArray();

        // Then they are the documents' tokens in order, none dropped or repeated
        Assert.Equal([10, 11, 12, 2, 20, 2, 30, 31, 32, 33, 34, 2], delivered);
    }

    [Fact]
    public void PositionsAndSegmentsRestart_When_DocumentBoundariesAreEnabled()
    {
        // Given seq_len 6 (rows of 7) with document boundaries
        var packer = new SequencePacker(6, documentBoundaries: true);
        var stream = Stream();

        // When two rows are packed
        var first = Pack(packer, stream, new long[2]);
        var second = Pack(packer, stream, new long[2]);

        // Then positions restart at each document start and at each row start; segments count documents
        Assert.Equal([10, 11, 12, 2, 20, 2, 30], first.Tokens);
        Assert.Equal([0, 1, 2, 3, 0, 1, 0], first.Positions);
        Assert.Equal([0, 0, 0, 0, 1, 1, 2], first.Segments);
        Assert.Equal([31, 32, 33, 34, 2], second.Tokens[..5]);
        Assert.Equal([0, 1, 2, 3, 4], second.Positions[..5]);
        Assert.Equal([0, 0, 0, 0, 0], second.Segments[..5]);
    }

    [Fact]
    public void TokensAreCountedPerLanguage_When_ARowMixesLanguages()
    {
        // Given rows of 5 tokens
        var packer = new SequencePacker(4, documentBoundaries: false);
        var counts = new long[2];

        // When one row is packed
        Pack(packer, Stream(), counts);

        // Then 4 tokens count for language 0 and 1 for language 1
        Assert.Equal([4L, 1L], counts);
    }

    [Fact]
    public void SkipAdvancesTheStreamLikeFill_When_ARowBelongsToAnotherRank()
    {
        // Given two identical streams
        var packer = new SequencePacker(4, documentBoundaries: false);
        var (filled, skipped) = (Stream(), Stream());
        var skipCounts = new long[2];

        // When one stream's first row is filled and the other's skipped
        Pack(packer, filled, new long[2]);
        packer.Skip(skipped, skipCounts);

        // Then both continue with the same row and the skipped tokens were counted
        Assert.Equal(Pack(packer, filled, new long[2]).Tokens, Pack(packer, skipped, new long[2]).Tokens);
        Assert.Equal([4L, 1L], skipCounts);
    }
}

/// <summary>Cycles through fixed documents.</summary>
internal sealed class ListTokenStream(params (int[] Tokens, int Language)[] documents) : ITokenStream
{
    private int _document;
    private int _offset;

    public TokenChunk Next(int maxTokens)
    {
        var (tokens, language) = documents[_document % documents.Length];
        var start = _offset;
        var count = Math.Min(maxTokens, tokens.Length - start);
        _offset += count;
        if (_offset == tokens.Length)
            (_document, _offset) = (_document + 1, 0);
        return new TokenChunk(tokens.AsSpan(start, count), language, start == 0);
    }

    public (int Count, int LanguageId) Skip(int maxTokens)
    {
        var chunk = Next(maxTokens);
        return (chunk.Tokens.Length, chunk.LanguageId);
    }
}
