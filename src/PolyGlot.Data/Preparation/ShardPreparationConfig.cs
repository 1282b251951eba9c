using System.Text.RegularExpressions;
using PolyGlot.Common.Configuration;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// Settings of <c>polyglot prepare</c> (the <c>prepare:</c> section of a data config): which
/// tokenizer, where the shards go, how large they are, and how translation pairs become documents.
/// </summary>
public sealed partial class ShardPreparationConfig : IValidatedConfig
{
    /// <summary>Placeholders a bilingual template may use.</summary>
    public static readonly IReadOnlyList<string> TemplatePlaceholders = ["src_text", "tgt_text", "src_lang", "tgt_lang"];

    /// <summary>The SentencePiece <c>.model</c> file to tokenize with.</summary>
    public string Tokenizer { get; set; } = "artifacts/tokenizer/tokenizer.model";

    /// <summary>Output root; each source gets the directory <c>&lt;output&gt;/&lt;source name&gt;</c>.</summary>
    public string Output { get; set; } = "artifacts/shards";

    /// <summary>Names of the sources to prepare; empty means every source.</summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>A shard is closed once it holds at least this many tokens (eos included); at most 10^9.</summary>
    public long ShardTokens { get; set; } = 20_000_000;

    /// <summary>How a translation pair becomes one training document.</summary>
    public string Template { get; set; } = "{src_text}\n{tgt_text}";

    /// <summary>Bilingual pairs are formatted in both directions (en→de and de→en), each a document.</summary>
    public bool BothDirections { get; set; } = true;

    /// <summary>
    /// Threads of each parallel encode (two batches are encoded at once), and that compress a finished shard's row
    /// groups; 0 uses every core. Not a bound on the cores used: confine the process for that.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>UTF-8 bytes of text read and tokenized per batch; with one shard buffer it bounds memory.</summary>
    public int BatchBytes { get; set; } = 8 << 20;

    /// <inheritdoc />
    public void Validate(ConfigErrors errors, string path)
    {
        errors.RequireText(Tokenizer, ConfigPath.Join(path, "tokenizer"));
        errors.RequireText(Output, ConfigPath.Join(path, "output"));
        // Parquet list offsets are 32-bit, so a shard holds well under 2^31 tokens.
        errors.Require(ShardTokens is > 0 and <= 1_000_000_000, ConfigPath.Join(path, "shard_tokens"), ShardTokens,
            "must be between 1 and 1,000,000,000");
        errors.RequireNonNegative(Threads, ConfigPath.Join(path, "threads"));
        errors.RequireRange(BatchBytes, 1024, 1 << 30, ConfigPath.Join(path, "batch_bytes"));
        var key = ConfigPath.Join(path, "template");
        errors.Require(Template.Contains("{src_text}", StringComparison.Ordinal) && Template.Contains("{tgt_text}", StringComparison.Ordinal),
            key, Template, "must contain {src_text} and {tgt_text}");
        foreach (Match match in Placeholder().Matches(Template))
            errors.Require(TemplatePlaceholders.Contains(match.Groups[1].Value), key, Template,
                $"uses the unknown placeholder {match.Value}; allowed: {string.Join(", ", TemplatePlaceholders.Select(p => "{" + p + "}"))}");
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();
}
