namespace PolyGlot.Common.Configuration;

/// <summary>A configuration section that checks its own values once, at load.</summary>
public interface IValidatedConfig
{
    /// <summary>
    /// Reports every broken rule into <paramref name="errors"/>, naming keys under
    /// <paramref name="path"/> (the dotted path of this section, empty at the root).
    /// </summary>
    void Validate(ConfigErrors errors, string path);
}

/// <summary>Helpers for building dotted key paths.</summary>
public static class ConfigPath
{
    /// <summary><c>Join("data", "seed")</c> is <c>data.seed</c>; an empty parent gives the key alone.</summary>
    public static string Join(string parent, string key) =>
        string.IsNullOrEmpty(parent) ? key : parent + "." + key;

    /// <summary><c>Index("data.sources", 2)</c> is <c>data.sources[2]</c>.</summary>
    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
