using System.Globalization;
using System.Text;
using PolyGlot.Cli.Progress;
using PolyGlot.Data.Curriculum;
using PolyGlot.Training.Configuration;
using PolyGlot.Training.Metrics;
using PolyGlot.Training.Reporting;
using PolyGlot.Training.Trainer;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// Logs what the trainer does (start, data mix, evaluations, checkpoints, warnings) and feeds the
/// progress display. Every <c>logging.log_every_steps</c> it logs the non-English share the
/// curriculum schedules and the share of the step's sequences that actually were non-English.
/// It records starts, the realised data mix, checkpoints and the end in <c>events.jsonl</c>, and
/// refreshes <c>report.html</c> after each evaluation and at the end, so that the report can be
/// opened at any time during the run.
/// </summary>
internal sealed class TrainObserver(RunConfig config) : ITrainingObserver
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private readonly List<(long Step, double Scheduled, double Realized)> _shares = [];
    private readonly Dictionary<string, double> _realizedSinceLog = new(StringComparer.Ordinal);
    private int _stepsSinceLog;
    private (long Step, double Loss)? _first;
    private (long Step, double Loss)? _last;
    private RunEventsWriter? _events;

    public ITrainingProgress? Display { get; set; }

    public void OnStart(TrainingStart start)
    {
        if (start.ResumedFrom is { } checkpoint)
            Serilog.Log.Information("train: resuming at step {First} of {Total} from {Checkpoint}", start.FirstStep, start.TotalSteps, checkpoint);
        else
            Serilog.Log.Information("train: starting at step {First} of {Total}", start.FirstStep, start.TotalSteps);
        _events?.Dispose();
        // The trainer resumes after step FirstStep - 1.
        _events = RunEventsWriter.Open(Path.Combine(config.Logging.RunDir, RunEventsWriter.FileName),
            start.ResumedFrom is null ? null : start.FirstStep - 1);
        _events.Start(start.FirstStep - 1, start.ResumedFrom, start.Parameters, start.TotalSteps, DateTime.UtcNow);
        Serilog.Log.Information("train: {Parameters:N0} parameters; {Geometry}; stopping after step {Last}",
            start.Parameters, start.Geometry, start.LastStep);
    }

    public void OnStep(StepReport report)
    {
        var metrics = report.Metrics;
        var step = metrics.Step;
        _first ??= (step, metrics.Loss);
        _last = (step, metrics.Loss);
        Display?.Report(metrics);
        _events?.Step(metrics.Step, report.RealizedGroupShares, DateTime.UtcNow);
        foreach (var (group, share) in report.RealizedGroupShares)
            _realizedSinceLog[group] = _realizedSinceLog.GetValueOrDefault(group) + share;
        _stepsSinceLog++;
        if (report.GuardNote is { } note)
            Serilog.Log.Warning("train: step {Step}: {Note}", step, note);
        if (config.Logging.IsLoggingStep(step, report.TotalSteps))
            LogMix(step, metrics, report);
    }

    public void OnEval(EvalMetrics metrics)
    {
        var languages = string.Join(", ", metrics.LossPerLanguage.Select(p =>
            string.Create(C, $"{p.Key} {p.Value:F3} ({metrics.BitsPerBytePerLanguage[p.Key]:F3} bpb)")));
        Serilog.Log.Information("eval after step {Step}: loss {Loss:F4}; per language: {Languages}", metrics.Step, metrics.Loss, languages);
        RefreshReport();
    }

    public void OnCheckpoint(long step, string directory)
    {
        Serilog.Log.Information("train: checkpoint after step {Step}: {Directory}", step, directory);
        _events?.Checkpoint(step, directory, DateTime.UtcNow);
    }

    public void OnWarning(string message) => Serilog.Log.Warning("train: {Message}", message);

    /// <summary>First and last loss of this invocation and the trajectory of the non-English share.</summary>
    public void LogSummary(TrainingOutcome outcome)
    {
        if (_events is not null)
        {
            _events.End(outcome.Step, outcome.End.ToString(), DateTime.UtcNow);
            _events.Dispose();
            _events = null;
            RefreshReport();
        }
        if (_first is { } first && _last is { } last)
            Serilog.Log.Information("train: loss {First:F4} at step {FirstStep} -> {Last:F4} at step {LastStep}",
                first.Loss, first.Step, last.Loss, last.Step);
        if (_shares.Count == 0)
            return;
        var trajectory = new StringBuilder();
        foreach (var (step, scheduled, realized) in _shares)
            trajectory.Append(C, $" {step}:{scheduled * 100:F0}%/{realized * 100:F0}%");
        Serilog.Log.Information("train: non-English share (step:scheduled/realized){Trajectory}", trajectory.ToString());
    }

    // The report is a convenience: a failure to draw it is logged and never stops training. It
    // runs on the training thread, between steps; docs/report.md gives its cost next to a step's.
    private void RefreshReport()
    {
        var runDir = config.Logging.RunDir;
        try
        {
            var result = RunReport.Write([runDir], RunReport.DefaultPath(runDir));
            Serilog.Log.Information("train: report {Path} refreshed in {Milliseconds:F0} ms", result.Path, result.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (CommandErrors.IsUserError(e))
        {
            Serilog.Log.Warning("train: could not refresh the report in {RunDir}: {Message}", runDir, e.Message);
        }
    }

    // The realised shares are averaged over the steps since the previous line: one step's 16
    // sequences are too few to show a share, an interval's are not.
    private void LogMix(long step, StepMetrics metrics, StepReport report)
    {
        double Realized(string group) => _realizedSinceLog.GetValueOrDefault(group) / _stepsSinceLog;
        var scheduled = metrics.CurriculumShares.GetValueOrDefault(PolyLmPreset.NonEnglish);
        _shares.Add((step, scheduled, Realized(PolyLmPreset.NonEnglish)));
        var groups = string.Join(", ", metrics.CurriculumShares.Select(p =>
            string.Create(C, $"{p.Key} {p.Value * 100:F0}%/{Realized(p.Key) * 100:F0}%")));
        var perLanguage = string.Join(" ", metrics.LossPerLanguage.Select(p => string.Create(C, $"{p.Key}={p.Value:F2}")));
        Serilog.Log.Information("step {Step}/{Total} data mix scheduled/realized over the last {Steps} step(s): {Groups}; loss per language: {Languages}",
            step, report.TotalSteps, _stepsSinceLog, groups, perLanguage);
        _realizedSinceLog.Clear();
        _stepsSinceLog = 0;
    }
}
