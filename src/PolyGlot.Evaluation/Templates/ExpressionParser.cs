using System.Globalization;
using System.Text;

namespace PolyGlot.Evaluation.Templates;

/// <summary>Recursive-descent parser of one placeholder's expression (the grammar is in <see cref="Template"/>'s summary).</summary>
internal sealed class ExpressionParser
{
    private readonly string _text;
    private int _at;

    private ExpressionParser(string text) => _text = text;

    public static Expression Parse(string text)
    {
        var parser = new ExpressionParser(text);
        var expression = parser.Filtered();
        parser.SkipSpace();
        if (parser._at < text.Length)
            throw parser.Error($"unexpected '{text[parser._at]}'");
        return expression;
    }

    // expression ('|' filter)*
    private Expression Filtered()
    {
        var expression = Additive();
        while (Accept('|'))
            expression = Named(Identifier(), expression, []);
        return expression;
    }

    // postfix (('+' | '-') postfix)*
    private Expression Additive()
    {
        var left = Postfix();
        while (true)
        {
            if (Accept('+'))
                left = new Binary('+', left, Postfix());
            else if (Accept('-'))
                left = new Binary('-', left, Postfix());
            else
                return left;
        }
    }

    // primary ('[' expression ']' | '.' name '(' arguments ')')*
    private Expression Postfix()
    {
        var expression = Primary();
        while (true)
        {
            if (Accept('['))
            {
                expression = new Index(expression, Filtered());
                Expect(']');
            }
            else if (Accept('.'))
            {
                var name = Identifier();
                Expect('(');
                var arguments = Peek(')') ? [] : Items(')');
                Expect(')');
                expression = Named(name, expression, arguments);
            }
            else
                return expression;
        }
    }

    private Expression Primary()
    {
        SkipSpace();
        if (_at >= _text.Length)
            throw Error("an expression is missing");
        var c = _text[_at];
        if (Accept('('))
        {
            var inner = Filtered();
            Expect(')');
            return inner;
        }
        if (Accept('['))
        {
            var items = Peek(']') ? [] : Items(']');
            Expect(']');
            return new ListOf(items);
        }
        if (c is '\'' or '"')
            return new Literal(QuotedString(c));
        if (char.IsAsciiDigit(c))
        {
            var start = _at;
            while (_at < _text.Length && char.IsAsciiDigit(_text[_at]))
                _at++;
            return new Literal(long.Parse(_text[start.._at], CultureInfo.InvariantCulture));
        }
        var name = Identifier();
        return name switch { "True" or "true" => new Literal(true), "False" or "false" => new Literal(false), _ => new Field(name) };
    }

    private List<Expression> Items(char end)
    {
        var items = new List<Expression> { Filtered() };
        while (Accept(','))
        {
            if (Peek(end))
                break;
            items.Add(Filtered());
        }
        return items;
    }

    private Call Named(string name, Expression target, IReadOnlyList<Expression> arguments)
    {
        if (!Call.Known.Contains(name))
            throw Error($"unknown filter or method '{name}' (supported: {string.Join(", ", Call.Known)})");
        if ((name == "index") != (arguments.Count == 1))
            throw Error($"'{name}' takes {(name == "index" ? "one argument" : "no arguments")}");
        return new Call(name, target, arguments);
    }

    private string QuotedString(char quote)
    {
        _at++;
        var text = new StringBuilder();
        while (_at < _text.Length && _text[_at] != quote)
        {
            if (_text[_at] == '\\' && _at + 1 < _text.Length)
            {
                _at++;
                text.Append(_text[_at] switch { 'n' => '\n', 't' => '\t', var other => other });
            }
            else
                text.Append(_text[_at]);
            _at++;
        }
        if (_at >= _text.Length)
            throw Error("a string is not closed");
        _at++;
        return text.ToString();
    }

    private string Identifier()
    {
        SkipSpace();
        var start = _at;
        while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '_'))
            _at++;
        return _at > start ? _text[start.._at] : throw Error("a name is expected");
    }

    private bool Accept(char c)
    {
        SkipSpace();
        if (_at < _text.Length && _text[_at] == c)
        {
            _at++;
            return true;
        }
        return false;
    }

    private bool Peek(char c)
    {
        SkipSpace();
        return _at < _text.Length && _text[_at] == c;
    }

    private void Expect(char c)
    {
        if (!Accept(c))
            throw Error($"'{c}' expected");
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
            _at++;
    }

    private TemplateException Error(string what) => new($"{what} at character {_at} of \"{{{{{_text}}}}}\"");
}
