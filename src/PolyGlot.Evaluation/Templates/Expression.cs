using System.Globalization;

namespace PolyGlot.Evaluation.Templates;

/// <summary>One node of a parsed placeholder expression.</summary>
internal abstract record Expression
{
    public abstract object? Evaluate(IReadOnlyDictionary<string, object?> document);

    public virtual IEnumerable<string> Fields => [];
}

internal sealed record Literal(object? Value) : Expression
{
    public override object? Evaluate(IReadOnlyDictionary<string, object?> document) => Value;
}

internal sealed record Field(string Name) : Expression
{
    public override object? Evaluate(IReadOnlyDictionary<string, object?> document) =>
        document.TryGetValue(Name, out var value) ? value
            : throw new TemplateException($"the document has no field '{Name}' (it has: {string.Join(", ", document.Keys)})", Name);

    public override IEnumerable<string> Fields => [Name];
}

internal sealed record ListOf(IReadOnlyList<Expression> Items) : Expression
{
    public override object? Evaluate(IReadOnlyDictionary<string, object?> document) => Items.Select(i => i.Evaluate(document)).ToList();

    public override IEnumerable<string> Fields => Items.SelectMany(i => i.Fields);
}

internal sealed record Index(Expression Target, Expression Key) : Expression
{
    public override object? Evaluate(IReadOnlyDictionary<string, object?> document)
    {
        var target = Target.Evaluate(document);
        var key = Values.ToInt(Key.Evaluate(document));
        return target switch
        {
            IReadOnlyList<object?> list when key >= -list.Count && key < list.Count => list[key < 0 ? list.Count + key : key],
            string s when key >= -s.Length && key < s.Length => s[key < 0 ? s.Length + key : key].ToString(),
            _ => throw new TemplateException($"index {key} is outside {Template.Render(target)}"),
        };
    }

    public override IEnumerable<string> Fields => Target.Fields.Concat(Key.Fields);
}

internal sealed record Binary(char Operator, Expression Left, Expression Right) : Expression
{
    public override object? Evaluate(IReadOnlyDictionary<string, object?> document)
    {
        var (a, b) = (Left.Evaluate(document), Right.Evaluate(document));
        return (Operator, a, b) switch
        {
            ('+', string x, string y) => x + y,
            ('+', IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Concat(y).ToList(),
            ('+', _, _) when Values.IsNumber(a) && Values.IsNumber(b) => Values.Add(a!, b!, 1),
            ('-', _, _) when Values.IsNumber(a) && Values.IsNumber(b) => Values.Add(a!, b!, -1),
            _ => throw new TemplateException($"cannot apply '{Operator}' to {Template.Render(a)} and {Template.Render(b)}"),
        };
    }

    public override IEnumerable<string> Fields => Left.Fields.Concat(Right.Fields);
}

/// <summary>A filter (<c>x | name</c>) or a method call (<c>x.name(args)</c>); both apply a named function.</summary>
internal sealed record Call(string Name, Expression Target, IReadOnlyList<Expression> Arguments) : Expression
{
    public static readonly string[] Known = ["trim", "strip", "lower", "upper", "int", "string", "index"];

    public override object? Evaluate(IReadOnlyDictionary<string, object?> document)
    {
        var value = Target.Evaluate(document);
        return Name switch
        {
            "trim" or "strip" => Template.Render(value).Trim(),
            "lower" => Template.Render(value).ToLowerInvariant(),
            "upper" => Template.Render(value).ToUpperInvariant(),
            "string" => Template.Render(value),
            "int" => Values.ToInt(value is string s ? long.Parse(s.Trim(), CultureInfo.InvariantCulture) : value),
            "index" when value is IReadOnlyList<object?> list => IndexOf(list, Arguments[0].Evaluate(document)),
            _ => throw new TemplateException($"'{Name}' does not apply to {Template.Render(value)}"),
        };
    }

    public override IEnumerable<string> Fields => Target.Fields.Concat(Arguments.SelectMany(a => a.Fields));

    private static long IndexOf(IReadOnlyList<object?> list, object? item)
    {
        for (var i = 0; i < list.Count; i++)
            if (Template.Render(list[i]) == Template.Render(item))
                return i;
        throw new TemplateException($"{Template.Render(item)} is not in {Template.Render(list)}");
    }
}

/// <summary>Number handling shared by the nodes: document numbers arrive as long or double.</summary>
internal static class Values
{
    public static bool IsNumber(object? v) => v is long or int or double;

    public static object Add(object a, object b, int sign) => a is double || b is double
        ? (object)(Convert.ToDouble(a, CultureInfo.InvariantCulture) + sign * Convert.ToDouble(b, CultureInfo.InvariantCulture))
        : Convert.ToInt64(a, CultureInfo.InvariantCulture) + sign * Convert.ToInt64(b, CultureInfo.InvariantCulture);

    public static int ToInt(object? v) => v switch
    {
        long l => checked((int)l),
        int i => i,
        double d when d == Math.Floor(d) => (int)d,
        bool b => b ? 1 : 0,
        _ => throw new TemplateException($"{Template.Render(v)} is not an integer"),
    };
}
