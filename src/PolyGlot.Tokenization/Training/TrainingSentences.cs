using System.Text;

namespace PolyGlot.Tokenization.Training;

/// <summary>
/// Turns documents into SentencePiece training sentences: one per non-empty line, lines longer
/// than the byte limit cut at a space (or a character boundary) because SentencePiece silently
/// drops sentences over its <c>max_sentence_length</c>.
/// </summary>
public static class TrainingSentences
{
    /// <summary>The training sentences of <paramref name="documents"/>, in order.</summary>
    public static IEnumerable<string> From(IEnumerable<string> documents, int maxBytes)
    {
        foreach (var document in documents)
            foreach (var line in document.Split('\n'))
            {
                var trimmed = line.TrimEnd('\r');
                if (trimmed.Length == 0)
                    continue;
                foreach (var piece in Cut(trimmed, maxBytes))
                    yield return piece;
            }
    }

    private static IEnumerable<string> Cut(string line, int maxBytes)
    {
        var start = 0;
        while (start < line.Length)
        {
            var end = start;
            var bytes = 0;
            var lastSpace = -1;
            while (end < line.Length)
            {
                var rune = Rune.GetRuneAt(line, end);
                if (bytes + rune.Utf8SequenceLength > maxBytes)
                    break;
                bytes += rune.Utf8SequenceLength;
                if (rune.Value == ' ')
                    lastSpace = end;
                end += rune.Utf16SequenceLength;
            }
            if (end < line.Length && lastSpace > start)
                end = lastSpace;
            yield return line[start..end];
            start = end;
        }
    }
}
