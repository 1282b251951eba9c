using System.Text;

namespace PolyGlot.Tokenization.Tests;

/// <summary>Cuts texts where a tokenizer's <see cref="TextCuts"/> allow it, and encodes them piece by piece.</summary>
internal static class TextPieces
{
    /// <summary>
    /// <paramref name="text"/> cut only at <paramref name="cuts"/>: each piece ends at the last cut within
    /// <paramref name="bound"/> bytes of UTF-8, or, where there is none, within twice, four times, ... that.
    /// </summary>
    public static List<string> Cut(string text, TextCuts cuts, int bound)
    {
        ReadOnlySpan<byte> rest = Encoding.UTF8.GetBytes(text);
        var pieces = new List<string>();
        while (rest.Length > bound)
        {
            var cut = 0;
            for (var limit = bound; cut == 0 && limit < rest.Length; limit *= 2)
                cut = cuts.LastCut(rest, limit);
            if (cut == 0)
                break;
            pieces.Add(Encoding.UTF8.GetString(rest[..cut]));
            rest = rest[cut..];
        }
        pieces.Add(Encoding.UTF8.GetString(rest));
        return pieces;
    }

    /// <summary>The ids of <paramref name="pieces"/>, each encoded alone, put together.</summary>
    public static int[] Encode(ITokenizer tokenizer, IReadOnlyList<string> pieces) => [.. tokenizer.EncodeBatch(pieces, 2).SelectMany(ids => ids)];

    /// <summary>Held-out lines of every demo language, joined by separators that cycle through runs of white space.</summary>
    public static string Multilingual(IEnumerable<string> lines, IReadOnlyList<string> separators)
    {
        var text = new StringBuilder();
        var i = 0;
        foreach (var line in lines)
            text.Append(line).Append(separators[i++ % separators.Count]);
        return text.ToString();
    }
}
