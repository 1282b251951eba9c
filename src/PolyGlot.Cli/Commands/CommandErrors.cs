using System.Text.Json;
using PolyGlot.Common.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Parquet;
using PolyGlot.Tokenization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Export;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// The one place where every command turns a failure the user can fix (bad input, a bad config,
/// a file it cannot read or write) into a single error line and exit code 1. Anything else is a
/// defect and keeps its stack trace.
/// </summary>
internal static class CommandErrors
{
    /// <summary>Runs <paramref name="body"/>; a user error is logged as "<paramref name="operation"/> failed: message".</summary>
    public static int Run(string operation, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Serilog.Log.Error("{Operation} failed: {Message}", operation, e.Message);
            return 1;
        }
    }

    /// <summary>Exceptions whose message tells the user what is wrong and what to do.</summary>
    public static bool IsUserError(Exception e) =>
        e is ConfigException or CorpusFormatException or TokenizerException or ParquetException
            or CheckpointException or ExportException or TrainingDivergedException or DistributedException
            or InvalidDataException or IOException or UnauthorizedAccessException or JsonException or ArgumentException;
}
