using PolyGlot.Common.IO;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// Makes renames survive a power loss: on Linux a rename is durable only once the directory that
/// holds it is flushed. The work is done by the one shared implementation, <see cref="DurableWrite"/>
/// (src/PolyGlot.Common/IO/DurableWrite.cs, compiled into this assembly).
/// </summary>
public static class DurableFiles
{
    /// <summary>Flushes the directory entries of <paramref name="directory"/> to disk (no-op off Linux).</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed.</exception>
    public static void FlushDirectory(string directory) => DurableWrite.FlushDirectory(directory);

    /// <summary>Moves <paramref name="temp"/> over <paramref name="path"/>, then flushes the directory.</summary>
    public static void Publish(string temp, string path) => DurableWrite.Publish(temp, path);

    /// <summary>Renames the finished directory <paramref name="temp"/> to <paramref name="target"/>, an existing one set aside (as <paramref name="aside"/>) until then.</summary>
    public static void PublishDirectory(string temp, string target, string? aside = null) => DurableWrite.PublishDirectory(temp, target, aside);

    /// <summary>Fills a directory under a temporary name and publishes it as <paramref name="target"/>; deleted on failure.</summary>
    public static T WriteDirectory<T>(string target, Func<string, T> fill) => DurableWrite.WriteDirectory(target, fill);

    /// <summary>A unique temporary name beside <paramref name="path"/>, recognisable by its suffix.</summary>
    public static string TempPathFor(string path) => DurableWrite.TempPathFor(path);
}
