using System.Text;
using PolyGlot.Tokenization.Training;

namespace PolyGlot.Tokenization.Tests.Training;

public sealed class TrainingSentencesTests
{
    [Fact]
    public void DocumentsSplitIntoNonEmptyLines_When_TheyContainNewlines()
    {
        var sentences = TrainingSentences.From(["first\r\n\nsecond", "third"], maxBytes: 100).ToList();
        Assert.Equal(["first", "second", "third"], sentences);
    }

    [Fact]
    public void LongLinesAreCutAtASpaceWithinTheByteLimit_When_TheyExceedIt()
    {
        // Given a line of 3-byte characters and spaces longer than the limit
        var line = string.Join(" ", Enumerable.Repeat("日本語のテキスト", 20));

        // When it is turned into training sentences with a 40-byte limit
        var pieces = TrainingSentences.From([line], maxBytes: 40).ToList();

        // Then no piece is over the limit, and together they are the line again
        Assert.All(pieces, p => Assert.InRange(Encoding.UTF8.GetByteCount(p), 1, 40));
        Assert.Equal(line, string.Concat(pieces));
    }
}
