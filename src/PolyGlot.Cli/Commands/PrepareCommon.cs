using PolyGlot.Common.Configuration;
using PolyGlot.Common.IO;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;

namespace PolyGlot.Cli.Commands;

/// <summary>What the data commands (tokenizer, prepare) share: config loading, input checks, the output lock.</summary>
internal static class PrepareCommon
{
    /// <summary>Loads and validates a data preparation config.</summary>
    public static DataPreparationConfig LoadConfig(string path) => YamlConfig.Load<DataPreparationConfig>(path);

    /// <summary>
    /// Throws, naming the source, when a source's file or pattern matches nothing: checked before
    /// any output directory is created, so a typo leaves nothing behind.
    /// </summary>
    public static void CheckInputs(IEnumerable<CorpusSourceConfig> sources)
    {
        foreach (var source in sources)
            _ = CorpusReader.ResolveFiles(source);
    }

    /// <summary>
    /// Takes <paramref name="directory"/> for this process (see <see cref="DirectoryLock"/>), or throws
    /// at once naming the process that holds it. A stale lock of a dead process is replaced with a warning.
    /// </summary>
    public static DirectoryLock Lock(string directory, string command) =>
        DirectoryLock.Acquire(directory, command, warning => Serilog.Log.Warning("{Command}: {Warning}", command, warning));
}
