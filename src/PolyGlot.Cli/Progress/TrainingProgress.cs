using PolyGlot.Training.Metrics;
using PolyGlot.Cli.Logging;
using Spectre.Console;

namespace PolyGlot.Cli.Progress;

/// <summary>
/// Receives every training step's figures for display. <see cref="Report"/> may be called from the
/// training thread while the display's own thread renders.
/// </summary>
public interface ITrainingProgress
{
    /// <summary>Shows (or logs) the step as the display sees fit.</summary>
    void Report(StepMetrics metrics);
}

/// <summary>What a progress display needs to know about the run.</summary>
/// <param name="RunName">Shown as the task's title.</param>
/// <param name="TotalSteps">Steps of the whole run.</param>
/// <param name="StartStep">Steps done before this process starts (after a resume, the checkpoint's step); it runs step StartStep + 1 first.</param>
/// <param name="LogEverySteps">Plain mode writes a line every this many steps (and for the last and skipped steps).</param>
public sealed record TrainingProgressOptions(string RunName, long TotalSteps, long StartStep, int LogEverySteps);

/// <summary>
/// Runs training under a progress display: a Spectre.Console live progress bar on standard error
/// when it is an interactive terminal, otherwise plain log lines (CI logs, pipes, files).
/// </summary>
public static class TrainingProgress
{
    /// <summary>
    /// Runs <paramref name="train"/> with a display chosen for the terminal and returns its result.
    /// <paramref name="train"/> runs on the calling thread (it may start and join the training
    /// thread); <paramref name="plainLine"/> receives the plain lines (the CLI passes its logger);
    /// <paramref name="console"/> overrides the terminal.
    /// </summary>
    public static T Run<T>(TrainingProgressOptions options, Func<ITrainingProgress, T> train, Action<string> plainLine,
        IAnsiConsole? console = null)
    {
        var terminal = console ?? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var interactive = terminal.Profile.Capabilities.Interactive && (console is not null || !Console.IsErrorRedirected);
        return interactive
            ? LiveTrainingProgress.Run(terminal, options, train)
            : train(new PlainTrainingProgress(options, plainLine));
    }
}

/// <summary>Plain mode: one line every N steps, for the last step, and for every skipped step.</summary>
public sealed class PlainTrainingProgress : ITrainingProgress
{
    private readonly TrainingProgressOptions _options;
    private readonly Action<string> _writeLine;

    /// <summary>A plain display writing through <paramref name="writeLine"/>.</summary>
    public PlainTrainingProgress(TrainingProgressOptions options, Action<string> writeLine)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LogEverySteps, 1);
        _options = options;
        _writeLine = writeLine;
    }

    /// <inheritdoc />
    public void Report(StepMetrics metrics)
    {
        var step = metrics.Step;  // counted from 1
        if (step % _options.LogEverySteps == 0 || step == _options.TotalSteps || metrics.Skipped
            || step == _options.StartStep + 1)
            _writeLine(ProgressLine.Format(metrics, _options.TotalSteps));
    }
}

/// <summary>Live mode: a Spectre.Console progress bar whose description carries the latest figures.</summary>
public sealed class LiveTrainingProgress : ITrainingProgress
{
    private readonly ProgressTask _task;
    private readonly TrainingProgressOptions _options;

    private LiveTrainingProgress(ProgressTask task, TrainingProgressOptions options)
    {
        _task = task;
        _options = options;
    }

    /// <summary>Runs <paramref name="train"/> inside a live progress display on <paramref name="console"/>.</summary>
    public static T Run<T>(IAnsiConsole console, TrainingProgressOptions options, Func<ITrainingProgress, T> train) =>
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(options.RunName), maxValue: options.TotalSteps);
                task.Value = options.StartStep;
                // Log lines go through the display's console, which prints them above the bar.
                using var logLines = ConsoleLogSink.Redirect(line => console.WriteLine(line));
                return train(new LiveTrainingProgress(task, options));
            });

    /// <inheritdoc />
    public void Report(StepMetrics metrics)
    {
        // Kept short so that description, bar and timing fit one line of an ordinary terminal: a
        // wrapped live line is redrawn in the wrong place. The full figures go to the log.
        _task.Description = Markup.Escape(ProgressLine.FormatCompact(_options.RunName, metrics, _options.TotalSteps));
        _task.Value = metrics.Step;
    }
}
