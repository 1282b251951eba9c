using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PolyGlot.Common.Configuration;

/// <summary>
/// Loads YAML configuration files into typed classes (snake_case keys, e.g. <c>seq_len</c> maps to
/// <c>SeqLen</c>), rejects unknown keys with their line, and validates the result once.
/// </summary>
public static class YamlConfig
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.Preserve)
        .Build();

    /// <summary>Reads, parses and validates <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">The file is missing, malformed or breaks a rule.</exception>
    public static T Load<T>(string path) where T : class, IValidatedConfig, new()
    {
        if (Directory.Exists(path))
            throw new ConfigException(path, [new ConfigError("(file)", path,
                "is a directory; pass a YAML configuration file (configs/ holds examples)")]);
        if (!File.Exists(path))
            throw new ConfigException(path, [new ConfigError("(file)", path,
                "the configuration file does not exist; check the path (configs/ holds examples)")]);
        return Parse<T>(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates YAML text; <paramref name="source"/> names it in errors.</summary>
    public static T Parse<T>(string yaml, string source) where T : class, IValidatedConfig, new()
    {
        T config;
        try
        {
            config = Deserializer.Deserialize<T>(yaml) ?? new T();
        }
        catch (YamlException e)
        {
            throw new ConfigException(source, [Describe(e)]);
        }

        var errors = new ConfigErrors();
        config.Validate(errors, "");
        errors.ThrowIfAny(source);
        return config;
    }

    /// <summary>Writes a configuration back as YAML (e.g. the resolved config saved with a run).</summary>
    public static string Serialize(object config) => Serializer.Serialize(config);

    private static ConfigError Describe(YamlException e)
    {
        // YamlDotNet nests the useful message (unknown property, bad scalar) one level down.
        var inner = e.InnerException?.Message ?? e.Message;
        var where = $"line {e.Start.Line}, column {e.Start.Column}";
        if (e.Message.Contains("not found on type", StringComparison.Ordinal)
            || inner.Contains("not found on type", StringComparison.Ordinal))
            return new ConfigError($"({where})", null,
                $"unknown key: {FirstSentence(e.Message)}; check the spelling against the documented keys");
        if (ExpectedShape(inner) is { } expected)
            return new ConfigError($"({where})", null, $"cannot be read: expected {expected} here");
        return new ConfigError($"({where})", null, $"cannot be read: {FirstSentence(inner)}");
    }

    /// <summary>
    /// YamlDotNet reports a node of the wrong shape with the .NET type it wanted
    /// ("No node deserializer ... into type System.String, System.Private.CoreLib, ..."); users
    /// need the YAML shape instead.
    /// </summary>
    private static string? ExpectedShape(string message)
    {
        const string marker = "into type ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var typeName = message[(at + marker.Length)..].Split(',')[0].Trim();
        return typeName switch
        {
            "System.String" => "a single text value",
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            _ when typeName.Contains("List", StringComparison.Ordinal) || typeName.EndsWith("[]", StringComparison.Ordinal)
                => "a list (- item lines or [a, b])",
            _ when typeName.Contains("Dictionary", StringComparison.Ordinal) => "a mapping of keys to values",
            _ => "a section of 'key: value' lines",
        };
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut < 0 ? message.TrimEnd('.') : message[..cut];
    }
}
