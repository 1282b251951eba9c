using System.Text.Json;
using PolyGlot.Common.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Preparation;
using PolyGlot.Tokenization;

namespace PolyGlot.Cli.Commands;

/// <summary>What the data commands (tokenizer, prepare) share: config loading and turning known failures into messages.</summary>
internal static class PrepareCommon
{
    /// <summary>Loads and validates a data preparation config.</summary>
    public static DataPreparationConfig LoadConfig(string path) => YamlConfig.Load<DataPreparationConfig>(path);

    /// <summary>
    /// Runs <paramref name="body"/>; input and configuration problems are logged as one clear
    /// error line and give exit code 1 (programming errors keep their stack trace).
    /// </summary>
    public static int Run(string operation, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ConfigException or CorpusFormatException or TokenizerException
                                       or InvalidDataException or IOException or UnauthorizedAccessException or JsonException)
        {
            Serilog.Log.Error("{Operation} failed: {Message}", operation, e.Message);
            return 1;
        }
    }
}
