using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
using YamlDotNet.Serialization.TypeInspectors;

namespace PolyGlot.Training.Configuration;

/// <summary>
/// Writes a configuration as YAML that loads back into the same configuration: snake_case keys,
/// defaults included, and only properties that can be both read and written (derived values such
/// as a source's <c>is_bilingual</c> would be unknown keys on reload).
/// </summary>
internal static class ResolvedYaml
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.Preserve)
        .WithTypeInspector(inner => new ReadableAndWritablePropertiesTypeInspector(inner))
        .Build();

    public static string Serialize(object config) => Serializer.Serialize(config);
}
