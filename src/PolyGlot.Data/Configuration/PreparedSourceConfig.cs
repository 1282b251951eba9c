using PolyGlot.Common.Configuration;

namespace PolyGlot.Data.Configuration;

/// <summary>One entry of <c>data.sources</c>: a prepared source directory, or some of its languages.</summary>
public sealed class PreparedSourceConfig
{
    /// <summary>Unique name of the source in this run (the key of its data state and metrics).</summary>
    public string Name { get; set; } = "";

    /// <summary>The prepared directory that holds <c>manifest.json</c> and its shards.</summary>
    public string Path { get; set; } = "";

    /// <summary>
    /// Mixing group. When omitted it follows from the manifest: <c>bilingual</c> for bilingual
    /// sources, <c>english</c> when every language is <c>en</c>, otherwise <c>non-english</c>.
    /// </summary>
    public string? Group { get; set; }

    /// <summary>Keep only documents in these languages (e.g. one language of a multilingual source); all when omitted.</summary>
    public List<string>? Languages { get; set; }

    internal void Validate(ConfigErrors errors, string path)
    {
        errors.RequireText(Name, ConfigPath.Join(path, "name"));
        errors.RequireText(Path, ConfigPath.Join(path, "path"));
        if (Group is not null)
            errors.RequireText(Group, ConfigPath.Join(path, "group"));
        if (Languages is null)
            return;
        var key = ConfigPath.Join(path, "languages");
        errors.Require(Languages.Count > 0, key, "[]", "must list at least one language, or be omitted to keep all");
        errors.Require(Languages.All(l => !string.IsNullOrWhiteSpace(l)), key, string.Join(",", Languages),
            "language codes must not be blank");
        errors.Require(Languages.Distinct(StringComparer.Ordinal).Count() == Languages.Count, key,
            string.Join(",", Languages), "must not list a language twice");
    }
}

/// <summary>One entry of <c>data.groups</c>: settings of a mixing group.</summary>
public sealed class DataGroupConfig
{
    /// <summary>The group name sources and curriculum weights refer to.</summary>
    public string Name { get; set; } = "";

    /// <summary>Temperature exponent inside this group (p ∝ n^alpha); <c>data.alpha</c> when omitted.</summary>
    public double? Alpha { get; set; }

    internal void Validate(ConfigErrors errors, string path)
    {
        errors.RequireText(Name, ConfigPath.Join(path, "name"));
        if (Alpha is { } alpha)
            errors.RequireRange(alpha, 0, 1, ConfigPath.Join(path, "alpha"));
    }
}
