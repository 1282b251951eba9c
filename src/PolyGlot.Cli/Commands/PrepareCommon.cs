using PolyGlot.Common.Configuration;
using PolyGlot.Data.Preparation;

namespace PolyGlot.Cli.Commands;

/// <summary>What the data commands (tokenizer, prepare) share: config loading.</summary>
internal static class PrepareCommon
{
    /// <summary>Loads and validates a data preparation config.</summary>
    public static DataPreparationConfig LoadConfig(string path) => YamlConfig.Load<DataPreparationConfig>(path);
}
