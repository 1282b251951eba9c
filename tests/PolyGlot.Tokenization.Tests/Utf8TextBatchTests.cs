using System.Text;

namespace PolyGlot.Tokenization.Tests;

public sealed class Utf8TextBatchTests
{
    [Fact]
    public void HoldsEveryTextAsUtf8_When_StringsAndBytesAreAddedPastItsFirstSize()
    {
        // Given a batch sized for 16 bytes in 2 texts
        using var batch = new Utf8TextBatch(bytes: 16, texts: 2);
        string[] texts = ["Grüße", "", "漢字と🙂", new string('x', 1000), "end"];

        // When strings and their bytes are added in turn, well past that size
        for (var i = 0; i < texts.Length; i++)
        {
            if (i % 2 == 0)
                batch.Add(texts[i]);
            else
                batch.Add(Encoding.UTF8.GetBytes(texts[i]));
        }

        // Then each text reads back as its UTF-8 bytes, and the totals add up
        Assert.Equal(texts.Length, batch.Count);
        for (var i = 0; i < texts.Length; i++)
            Assert.Equal(Encoding.UTF8.GetBytes(texts[i]), batch[i].ToArray());
        Assert.Equal(texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t)), batch.TotalBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[texts.Length].Length);
    }

    [Fact]
    public void SecondDisposeDoesNothingAndAddThrows_When_TheBatchWasDisposed()
    {
        // Given a disposed batch
        var batch = Utf8TextBatch.From(["a", "b"]);
        batch.Dispose();

        // When it is disposed again, or added to
        batch.Dispose();

        // Then only the add fails, naming the object (no buffer goes back to the pool twice)
        Assert.Throws<ObjectDisposedException>(() => batch.Add("c"));
        Assert.Equal(0, batch.Count);
    }
}
