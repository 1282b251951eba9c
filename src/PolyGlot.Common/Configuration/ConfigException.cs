namespace PolyGlot.Common.Configuration;

/// <summary>One broken rule in a configuration: the key (dotted path), the value found and the rule.</summary>
/// <param name="Key">Dotted path of the key, e.g. <c>data.sources[2].weight</c>.</param>
/// <param name="Value">The offending value as the user wrote it (null when missing).</param>
/// <param name="Rule">What the value must satisfy, phrased as advice.</param>
public sealed record ConfigError(string Key, string? Value, string Rule)
{
    /// <inheritdoc />
    public override string ToString() =>
        Value is null ? $"{Key}: {Rule}" : $"{Key} = {Value}: {Rule}";
}

/// <summary>A configuration that cannot be used; lists every broken rule at once.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> (a file path or a description).</summary>
    public ConfigException(string source, IReadOnlyList<ConfigError> errors)
        : base(Format(source, errors))
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>Where the configuration came from.</summary>
    public new string Source { get; }

    /// <summary>The broken rules.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Format(string source, IReadOnlyList<ConfigError> errors)
    {
        var lines = errors.Select(e => "  - " + e);
        return $"Invalid configuration in {source} ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):"
               + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}
