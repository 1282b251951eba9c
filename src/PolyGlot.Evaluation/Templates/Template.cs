using System.Globalization;
using System.Text;

namespace PolyGlot.Evaluation.Templates;

/// <summary>
/// A small subset of Jinja, enough for lm-evaluation-harness task files: literal text with
/// <c>{{ expression }}</c> placeholders. Expressions: a document field, an integer or quoted
/// string, a list <c>[a, b]</c>, indexing <c>a[i]</c>, <c>+</c> (strings concatenate, numbers
/// add) and <c>-</c>, parentheses, the methods <c>.strip() .lower() .upper() .index(x)</c>
/// and the filters <c>| trim | lower | upper | int | string</c>. A template that is a single
/// placeholder yields the expression's value itself (a list or a number, not its text).
/// </summary>
public sealed class Template
{
    private readonly List<object> _parts;  // string literals and Expression nodes

    private Template(string source, List<object> parts) => (Source, _parts) = (source, parts);

    /// <summary>The template as written.</summary>
    public string Source { get; }

    /// <summary>The document fields the template reads.</summary>
    public IEnumerable<string> Fields => _parts.OfType<Expression>().SelectMany(e => e.Fields).Distinct();

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="TemplateException">An unclosed placeholder or a malformed expression.</exception>
    public static Template Parse(string source)
    {
        var parts = new List<object>();
        var at = 0;
        while (at < source.Length)
        {
            var open = source.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(source[at..]);
                break;
            }
            if (open > at)
                parts.Add(source[at..open]);
            var close = source.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
                throw new TemplateException($"'{{{{' at character {open} is never closed by '}}}}' in \"{source}\"");
            parts.Add(ExpressionParser.Parse(source[(open + 2)..close]));
            at = close + 2;
        }
        return new Template(source, parts);
    }

    /// <summary>The value for <paramref name="document"/>: the expression's own value when the template is one placeholder, else text.</summary>
    /// <exception cref="TemplateException">A field the document lacks, or an operation its values do not support.</exception>
    public object? Evaluate(IReadOnlyDictionary<string, object?> document)
    {
        if (_parts is [Expression single])
            return single.Evaluate(document);
        var text = new StringBuilder();
        foreach (var part in _parts)
            text.Append(part is Expression e ? Render(e.Evaluate(document)) : (string)part);
        return text.ToString();
    }

    /// <summary>The template's text for <paramref name="document"/>.</summary>
    public string Render(IReadOnlyDictionary<string, object?> document) => Render(Evaluate(document));

    /// <summary>A value as Jinja prints it (numbers invariantly, booleans as True/False, lists as Python does).</summary>
    public static string Render(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "True" : "False",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable<object?> list => "[" + string.Join(", ", list.Select(v => v is string s ? $"'{s}'" : Render(v))) + "]",
        _ => value.ToString() ?? "",
    };
}
