using System.Text;

namespace PolyGlot.Data.Preparation;

/// <summary>
/// Formats a translation pair into one training document, e.g. <c>"{src_text}\n{tgt_text}"</c> or
/// <c>"&lt;2{tgt_lang}&gt; {src_text}\n{tgt_text}"</c>. The template is parsed once, so placeholder-like
/// text inside a pair is copied literally, never substituted.
/// </summary>
public sealed class BilingualTemplate
{
    private readonly List<(string? Literal, string? Placeholder)> _parts = [];

    /// <summary>Parses <paramref name="template"/>; see <see cref="ShardPreparationConfig.TemplatePlaceholders"/>.</summary>
    public BilingualTemplate(string template)
    {
        Text = template;
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            var close = open < 0 ? -1 : template.IndexOf('}', open);
            var name = close < 0 ? null : template[(open + 1)..close];
            if (name is null || !ShardPreparationConfig.TemplatePlaceholders.Contains(name))
            {
                var end = open < 0 ? template.Length : open + 1;
                _parts.Add((template[position..end], null));
                position = end;
                continue;
            }
            if (open > position)
                _parts.Add((template[position..open], null));
            _parts.Add((null, name));
            position = close + 1;
        }
    }

    /// <summary>The template as configured.</summary>
    public string Text { get; }

    /// <summary>The document for a pair in the direction source → target.</summary>
    public string Format(string sourceText, string sourceLanguage, string targetText, string targetLanguage)
    {
        var builder = new StringBuilder(sourceText.Length + targetText.Length + 16);
        foreach (var (literal, placeholder) in _parts)
            builder.Append(placeholder switch
            {
                null => literal,
                "src_text" => sourceText,
                "tgt_text" => targetText,
                "src_lang" => sourceLanguage,
                _ => targetLanguage,
            });
        return builder.ToString();
    }
}
