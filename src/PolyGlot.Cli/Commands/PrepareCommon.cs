using PolyGlot.Common.Configuration;
using PolyGlot.Common.IO;
using PolyGlot.Data.Preparation;

namespace PolyGlot.Cli.Commands;

/// <summary>What the data commands (tokenizer, prepare) share: config loading, input checks, the output lock.</summary>
internal static class PrepareCommon
{
    /// <summary>Loads and validates a data preparation config.</summary>
    public static DataPreparationConfig LoadConfig(string path) => YamlConfig.Load<DataPreparationConfig>(path);

    /// <summary>
    /// Takes <paramref name="directory"/> for this process (see <see cref="DirectoryLock"/>), or throws
    /// at once naming the process that holds it. A stale lock of a dead process is replaced with a warning.
    /// </summary>
    public static DirectoryLock Lock(string directory, string command) =>
        DirectoryLock.Acquire(directory, command, warning => Serilog.Log.Warning("{Command}: {Warning}", command, warning));
}
