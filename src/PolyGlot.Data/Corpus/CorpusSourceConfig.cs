using PolyGlot.Common.Configuration;

namespace PolyGlot.Data.Corpus;

/// <summary>
/// One corpus source in a data config: where its files are, their format, and how the language
/// of each document is known (declared for the source, or read from a field).
/// </summary>
public sealed class CorpusSourceConfig : IValidatedConfig
{
    /// <summary>Supported values of <see cref="Format"/>.</summary>
    public static readonly IReadOnlyList<string> Formats = [CorpusFormats.Text, CorpusFormats.Jsonl, CorpusFormats.Parquet,
        CorpusFormats.TsvPairs, CorpusFormats.JsonlPairs];

    /// <summary>Source name: the output directory of <c>prepare</c> and the <c>source</c> column.</summary>
    public string Name { get; set; } = "";

    /// <summary>A file, or a glob in the file-name part (<c>data/de/*.jsonl</c>); relative paths start at the working directory. <c>.gz</c> files are read through gzip.</summary>
    public string Path { get; set; } = "";

    /// <summary>One of <see cref="Formats"/>.</summary>
    public string Format { get; set; } = CorpusFormats.Text;

    /// <summary>For <c>text</c>: <c>line</c> (one document per line) or <c>paragraph</c> (documents separated by blank lines).</summary>
    public string Documents { get; set; } = "line";

    /// <summary>The language of every document (monolingual sources), unless <see cref="LangField"/> gives it per row.</summary>
    public string? Lang { get; set; }

    /// <summary>JSONL/Parquet field holding the language; rows without it fall back to <see cref="Lang"/>.</summary>
    public string? LangField { get; set; }

    /// <summary>JSONL field or Parquet column holding the text.</summary>
    public string TextField { get; set; } = "text";

    /// <summary>Bilingual: language of the source side (first TSV column).</summary>
    public string? SrcLang { get; set; }

    /// <summary>Bilingual: language of the target side (second TSV column).</summary>
    public string? TgtLang { get; set; }

    /// <summary>Bilingual JSONL: field of the source text.</summary>
    public string SrcField { get; set; } = "src";

    /// <summary>Bilingual JSONL: field of the target text.</summary>
    public string TgtField { get; set; } = "tgt";

    /// <summary>Bilingual JSONL: optional field of the source language (overrides <see cref="SrcLang"/>).</summary>
    public string? SrcLangField { get; set; }

    /// <summary>Bilingual JSONL: optional field of the target language (overrides <see cref="TgtLang"/>).</summary>
    public string? TgtLangField { get; set; }

    /// <summary>True for the two pair formats.</summary>
    public bool IsBilingual => Format is CorpusFormats.TsvPairs or CorpusFormats.JsonlPairs;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.Require(!string.IsNullOrWhiteSpace(Name) && Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'),
            ConfigPath.Join(path, "name"), Name, "must be set, using letters, digits, '-', '_' or '.' (it names a directory)");
        errors.RequireText(Path, ConfigPath.Join(path, "path"));
        errors.RequireOneOf(Format, Formats.ToList(), ConfigPath.Join(path, "format"));
        errors.RequireOneOf(Documents, ["line", "paragraph"], ConfigPath.Join(path, "documents"));
        if (IsBilingual)
        {
            errors.Require(SrcLang is not null || SrcLangField is not null, ConfigPath.Join(path, "src_lang"), SrcLang,
                "must be set (or src_lang_field) for a bilingual source");
            errors.Require(TgtLang is not null || TgtLangField is not null, ConfigPath.Join(path, "tgt_lang"), TgtLang,
                "must be set (or tgt_lang_field) for a bilingual source");
        }
        else
            errors.Require(Lang is not null || LangField is not null, ConfigPath.Join(path, "lang"), Lang,
                "must be set (or lang_field) so every document has a language");
    }
}

/// <summary>Values of <see cref="CorpusSourceConfig.Format"/>.</summary>
public static class CorpusFormats
{
    /// <summary>Plain UTF-8 text.</summary>
    public const string Text = "text";

    /// <summary>One JSON object per line with a text field.</summary>
    public const string Jsonl = "jsonl";

    /// <summary>Parquet with a string column (e.g. Hugging Face datasets files).</summary>
    public const string Parquet = "parquet";

    /// <summary>Source text TAB target text, one pair per line.</summary>
    public const string TsvPairs = "tsv-pairs";

    /// <summary>One JSON object per line with source and target text.</summary>
    public const string JsonlPairs = "jsonl-pairs";
}
