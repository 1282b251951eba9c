using PolyGlot.Common.Configuration;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// The <c>tokenizer:</c> section: the SentencePiece model the run uses. When it does not exist
/// yet, <c>polyglot train</c> trains it with the settings of the run's <c>preparation</c> file.
/// </summary>
public sealed class TokenizerConfig : IValidatedConfig
{
    /// <summary>Path of the SentencePiece <c>.model</c> file.</summary>
    public string Path { get; set; } = "";

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path) =>
        errors.RequireText(Path, ConfigPath.Join(path, "path"));
}
