using System.Text.Json;
using PolyGlot.Common.Configuration;
using PolyGlot.Data.Corpus;
using PolyGlot.Parquet;
using PolyGlot.Tokenization;
using PolyGlot.Training.Checkpointing;
using PolyGlot.Training.Distributed;
using PolyGlot.Training.Export;
using PolyGlot.Training.Import;
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
            Serilog.Log.Error("{Operation} failed: {Message}{Hint}", operation, e.Message, IsDiskFull(e)
                ? " (the disk is full: free space and run the same command again; files are written under temporary names and "
                  + "renamed when complete, so what was written before is intact)"
                : "");
            return 1;
        }
    }

    // ENOSPC (28) surfaces as an IOException whose HResult is the errno on Linux; the text is the fallback.
    private static bool IsDiskFull(Exception e) =>
        e is IOException io && (io.HResult == 28 || io.Message.Contains("No space left on device", StringComparison.Ordinal));

    /// <summary>Exceptions whose message tells the user what is wrong and what to do.</summary>
    public static bool IsUserError(Exception e) =>
        e is ConfigException or CorpusFormatException or TokenizerException or ParquetException
            or CheckpointException or ExportException or ImportException or TrainingDivergedException or DistributedException
            or InvalidDataException or IOException or UnauthorizedAccessException or JsonException or ArgumentException;
}
