using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace PolyGlot.Cli.Logging;

/// <summary>
/// The console destination of log events: standard error, or, while a live progress display owns
/// the terminal, that display's console. Writing straight to the stream under a live display
/// would break its cursor bookkeeping (log lines overwritten, bars left behind); the display's
/// console prints the line above the live area and redraws it.
/// </summary>
internal sealed class ConsoleLogSink : ILogEventSink
{
    private static readonly Lock Gate = new();
    private static Action<string>? _redirect;

    private readonly MessageTemplateTextFormatter _formatter;

    public ConsoleLogSink(string outputTemplate) =>
        _formatter = new MessageTemplateTextFormatter(outputTemplate, formatProvider: null);

    /// <summary>
    /// Sends console log lines to <paramref name="writeLine"/> until the returned handle is
    /// disposed (lines are passed without their trailing newline).
    /// </summary>
    public static IDisposable Redirect(Action<string> writeLine)
    {
        lock (Gate)
            _redirect = writeLine;
        return new Restore();
    }

    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter();
        _formatter.Format(logEvent, text);
        lock (Gate)
        {
            if (_redirect is { } writeLine)
                writeLine(text.ToString().TrimEnd('\r', '\n'));
            else
                Console.Error.Write(text.ToString());
        }
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
                _redirect = null;
        }
    }
}
