using PolyGlot.Evaluation.Templates;

namespace PolyGlot.Evaluation.Tasks;

/// <summary>
/// Renders documents through a task's templates with the harness's conventions: a template that
/// is exactly a field's name reads that field; a multiple-choice target that is a whole number
/// (or renders as one) is the choice's index, any other text must be one of the choices.
/// </summary>
internal sealed class DocumentRenderer(string file, string task, TaskKind kind, TaskConfig config)
{
    private readonly string? _text = config.DocToText;
    private readonly string? _target = config.DocToTarget;
    private readonly Template? _textTemplate = ParseOptional(file, task, "doc_to_text", config.DocToText);
    private readonly Template? _targetTemplate = ParseOptional(file, task, "doc_to_target", config.DocToTarget);
    private readonly object? _choice = ParseChoice(file, task, config.DocToChoice);

    public TaskDocument Render(int index, Dictionary<string, object?> fields)
    {
        var text = kind == TaskKind.LoglikelihoodRolling && _text is null ? "" : Template.Render(Value("doc_to_text", _text, _textTemplate, index, fields));
        var target = Value("doc_to_target", _target, _targetTemplate, index, fields);
        if (kind != TaskKind.MultipleChoice)
        {
            IReadOnlyList<string> references = target is IReadOnlyList<object?> list ? list.Select(Template.Render).ToList() : [Template.Render(target)];
            return new TaskDocument(index, fields, text, [], -1, references);
        }
        var choices = Choices(index, fields);
        var gold = DocumentReader.TryInteger(target, out var number) ? number : IndexOf(choices, Template.Render(target), index);
        if (gold < 0 || gold >= choices.Count)
            throw Error("doc_to_target", $"document {index}: the answer {gold} is outside the {choices.Count} choices [{string.Join(", ", choices)}]");
        return new TaskDocument(index, fields, text, choices, gold, [choices[gold]]);
    }

    private object? Value(string key, string? source, Template? template, int index, Dictionary<string, object?> fields)
    {
        if (source is null || template is null)
            throw Error(key, "missing; it is required for this output_type");
        if (!source.Contains("{{", StringComparison.Ordinal) && fields.TryGetValue(source, out var field))
            return field;
        try
        {
            return template.Evaluate(fields);
        }
        catch (TemplateException e)
        {
            throw Error(key, $"document {index}: {e.Message}");
        }
    }

    private List<string> Choices(int index, Dictionary<string, object?> fields)
    {
        var value = _choice switch
        {
            null => throw Error("doc_to_choice", "missing; multiple_choice needs the list of choices"),
            IReadOnlyList<Template> each => each.Select(t => Value("doc_to_choice", t.Source, t, index, fields)).ToList<object?>(),
            Template one => Value("doc_to_choice", one.Source, one, index, fields),
            _ => null,
        };
        if (value is not IReadOnlyList<object?> list || list.Count == 0)
            throw Error("doc_to_choice", $"document {index}: gives {Template.Render(value)}, not a list of choices");
        return list.Select(Template.Render).ToList();
    }

    private int IndexOf(List<string> choices, string answer, int index)
    {
        var at = choices.IndexOf(answer);
        return at >= 0 ? at : throw Error("doc_to_target", $"document {index}: the answer '{answer}' is not one of the choices [{string.Join(", ", choices)}]");
    }

    private static Template? ParseOptional(string file, string task, string key, string? source) =>
        source is null ? null : Parse(file, task, key, source);

    private static Template Parse(string file, string task, string key, string source)
    {
        try
        {
            return Template.Parse(source);
        }
        catch (TemplateException e)
        {
            throw new TaskFileException(file, task, key, e.Message, e);
        }
    }

    private static object? ParseChoice(string file, string task, object? choice) => choice switch
    {
        null => null,
        string s => Parse(file, task, "doc_to_choice", s),
        IEnumerable<object> items => items.Select(i => Parse(file, task, "doc_to_choice", Template.Render(i))).ToList(),
        _ => throw new TaskFileException(file, task, "doc_to_choice", "must be a template or a list of templates"),
    };

    private TaskFileException Error(string key, string problem) => new(file, task, key, problem);
}
