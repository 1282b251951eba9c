namespace PolyGlot.Evaluation.Tasks;

/// <summary>One document of a task, rendered: its context text, choices and answer.</summary>
/// <param name="Index">Position in its split.</param>
/// <param name="Fields">The document as read.</param>
/// <param name="Text">doc_to_text rendered.</param>
/// <param name="Choices">doc_to_choice rendered (multiple choice), else empty.</param>
/// <param name="Gold">Index of the right choice (multiple choice), else -1.</param>
/// <param name="References">The target text(s): the right choice, the references to generate, the text to score.</param>
public sealed record TaskDocument(int Index, IReadOnlyDictionary<string, object?> Fields, string Text,
    IReadOnlyList<string> Choices, int Gold, IReadOnlyList<string> References);

/// <summary>A task file loaded and checked: every document rendered, every answer among its choices.</summary>
public sealed class EvalTask
{
    /// <summary>The task's name.</summary>
    public required string Name { get; init; }

    /// <summary>The task file.</summary>
    public required string File { get; init; }

    /// <summary>The language measured ("" when the file does not say).</summary>
    public required string Language { get; init; }

    /// <summary>What is asked of the model.</summary>
    public required TaskKind Kind { get; init; }

    /// <summary>The metrics reported.</summary>
    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>The documents evaluated.</summary>
    public required IReadOnlyList<TaskDocument> Documents { get; init; }

    /// <summary>Where few-shot examples come from (empty when the file names no few-shot split).</summary>
    public required IReadOnlyList<TaskDocument> FewshotDocuments { get; init; }

    /// <summary>Between context and continuation.</summary>
    public string TargetDelimiter { get; init; } = " ";

    /// <summary>Between few-shot examples.</summary>
    public string FewshotDelimiter { get; init; } = "\n\n";

    /// <summary>Text before the examples ("" for none).</summary>
    public string Description { get; init; } = "";

    /// <summary>Few-shot examples when the command line does not say.</summary>
    public int NumFewshot { get; init; }

    /// <summary>Seed of the few-shot draw.</summary>
    public int FewshotSeed { get; init; } = 1234;

    /// <summary>Stop sequences of generation.</summary>
    public IReadOnlyList<string> Until { get; init; } = [];

    /// <summary>Tokens generated at most.</summary>
    public int MaxGenToks { get; init; } = 256;
}
