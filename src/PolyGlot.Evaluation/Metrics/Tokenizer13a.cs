using System.Text.RegularExpressions;

namespace PolyGlot.Evaluation.Metrics;

/// <summary>
/// The "13a" tokenization of BLEU's reference scorer (Moses <c>mteval-v13a.pl</c>), sacreBLEU's
/// default: unescape four XML entities, pad most punctuation and symbols with spaces, split a
/// period or comma from a neighbour unless both neighbours are digits, and a dash after a digit.
/// </summary>
public static partial class Tokenizer13a
{
    /// <summary>The tokens of <paramref name="line"/> joined by single spaces.</summary>
    public static string Tokenize(string line)
    {
        line = line.Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ");
        if (line.Contains('&'))
            line = line.Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        line = " " + line + " ";
        // The four substitutions of mteval-v13a.pl's tokenization, in its order.
        line = Symbols().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return Spaces().Replace(line, " ").Trim();
    }

    [GeneratedRegex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])")]
    private static partial Regex Symbols();

    [GeneratedRegex(@"([^0-9])([\.,])")]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex(@"([\.,])([^0-9])")]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)")]
    private static partial Regex DashAfterDigit();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
