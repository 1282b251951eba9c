namespace PolyGlot.Tokenization.Training;

/// <summary>
/// The training text of one language: a function that opens its documents afresh (the trainer
/// reads them twice: once to count, once to sample).
/// </summary>
/// <param name="Language">Language code, e.g. <c>de</c>.</param>
/// <param name="OpenDocuments">Returns a new enumeration of the language's documents.</param>
public sealed record LanguageText(string Language, Func<IEnumerable<string>> OpenDocuments);
