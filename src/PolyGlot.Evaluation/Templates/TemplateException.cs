namespace PolyGlot.Evaluation.Templates;

/// <summary>A template that cannot be parsed, or names a field a document lacks.</summary>
/// <param name="message">What is wrong, for the user.</param>
/// <param name="field">The document field involved, when one is.</param>
public sealed class TemplateException(string message, string? field = null) : Exception(message)
{
    /// <summary>The document field the template named and the document lacks, if that is the problem.</summary>
    public string? Field { get; } = field;
}
