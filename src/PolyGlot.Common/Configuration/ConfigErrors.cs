using System.Globalization;

namespace PolyGlot.Common.Configuration;

/// <summary>
/// Collects broken rules while a configuration is validated, so that the user sees all of them
/// in one message rather than one per run.
/// </summary>
public sealed class ConfigErrors
{
    private readonly List<ConfigError> _errors = [];

    /// <summary>The rules broken so far.</summary>
    public IReadOnlyList<ConfigError> All => _errors;

    /// <summary>True when nothing was reported.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Records a broken rule unconditionally.</summary>
    public void Add(string key, object? value, string rule) =>
        _errors.Add(new ConfigError(key, Render(value), rule));

    /// <summary>Records <paramref name="rule"/> when <paramref name="holds"/> is false.</summary>
    public void Require(bool holds, string key, object? value, string rule)
    {
        if (!holds)
            Add(key, value, rule);
    }

    /// <summary>Requires a present, non-blank string.</summary>
    public void RequireText(string? value, string key) =>
        Require(!string.IsNullOrWhiteSpace(value), key, value, "must be set");

    /// <summary>Requires <c>min &lt;= value &lt;= max</c>.</summary>
    public void RequireRange(double value, double min, double max, string key) =>
        Require(value >= min && value <= max, key, value,
            $"must be between {Render(min)} and {Render(max)}");

    /// <summary>Requires <c>value &gt; 0</c>.</summary>
    public void RequirePositive(double value, string key) =>
        Require(value > 0, key, value, "must be greater than 0");

    /// <summary>Requires <c>value &gt;= 0</c>.</summary>
    public void RequireNonNegative(double value, string key) =>
        Require(value >= 0, key, value, "must be 0 or greater");

    /// <summary>Requires the value to be one of <paramref name="allowed"/> (case-sensitive).</summary>
    public void RequireOneOf(string? value, IReadOnlyCollection<string> allowed, string key) =>
        Require(value is not null && allowed.Contains(value), key, value,
            $"must be one of: {string.Join(", ", allowed)}");

    /// <summary>Throws a <see cref="ConfigException"/> when any rule was broken.</summary>
    public void ThrowIfAny(string source)
    {
        if (!IsEmpty)
            throw new ConfigException(source, _errors.ToArray());
    }

    private static string? Render(object? value) => value switch
    {
        null => null,
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
