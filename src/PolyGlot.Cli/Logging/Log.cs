using Serilog;
using Serilog.Events;

namespace PolyGlot.Cli.Logging;

/// <summary>
/// Serilog set-up. Messages use plain scalar properties only: trimmed single-file publishes
/// cannot destructure objects by reflection.
/// </summary>
internal static class Log
{
    private const string ConsoleTemplate = "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}";

    /// <summary>Console-only logging, to standard error so that standard output stays data.</summary>
    public static void ConfigureConsole(LogEventLevel level = LogEventLevel.Information)
    {
        Serilog.Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .WriteTo.Sink(new ConsoleLogSink(ConsoleTemplate))
            .CreateLogger();
    }

    /// <summary>Console plus a log file (e.g. in a run directory).</summary>
    public static void ConfigureConsoleAndFile(string logFile, LogEventLevel level = LogEventLevel.Information)
    {
        Serilog.Log.CloseAndFlush();
        Serilog.Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .WriteTo.Sink(new ConsoleLogSink(ConsoleTemplate))
            .WriteTo.File(logFile, outputTemplate: FileTemplate, flushToDiskInterval: TimeSpan.FromSeconds(5))
            .CreateLogger();
    }
}
