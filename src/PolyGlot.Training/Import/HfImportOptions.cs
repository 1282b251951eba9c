using PolyGlot.Model.Configuration;

namespace PolyGlot.Training.Import;

/// <summary>Settings of <see cref="HfImporter.Import"/>.</summary>
public sealed record HfImportOptions
{
    /// <summary>Replace an output directory that exists and is not empty.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// A tokenizer to use instead of the folder's: an extension of it (the same ids first, new
    /// pieces after), whose new rows are initialised by <see cref="NewTokenInit"/>. Null: the folder's own.
    /// </summary>
    public string? Tokenizer { get; init; }

    /// <summary>How the rows of tokens the extended tokenizer adds start.</summary>
    public NewTokenInit NewTokenInit { get; init; } = NewTokenInit.PieceMean;
}

/// <summary>What <see cref="HfImporter.Import"/> wrote.</summary>
/// <param name="Directory">The output directory (absolute).</param>
/// <param name="Checkpoint">The checkpoint inside it, which <c>train --resume</c>, <c>score</c>, <c>eval</c>, <c>generate</c> and <c>export</c> take.</param>
/// <param name="Architecture">The Hugging Face architecture read.</param>
/// <param name="Model">The model shape (with the extended vocabulary, if any).</param>
/// <param name="TokenizerPath">The tokenizer file copied into the output directory.</param>
/// <param name="AddedTokens">Rows added for an extended tokenizer (0 without one).</param>
public sealed record HfImportResult(string Directory, string Checkpoint, string Architecture, ModelConfig Model,
    string TokenizerPath, int AddedTokens);
