using System.CommandLine;
using System.Globalization;
using PolyGlot.Training.Reporting;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// <c>polyglot report RUN_DIR... [--out FILE]</c>: writes one self-contained HTML page with inline
/// SVG charts of a run (default <c>RUN_DIR/report.html</c>), or of several runs overlaid for
/// comparison. Works on runs that are still training or that crashed.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("RUN_DIR") { Description = "Run directories (logging.run_dir), e.g. runs/demo; several to compare", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Output HTML file (default: RUN_DIR/report.html; required with several runs)" };
        var command = new Command("report", "Write an HTML report with charts of one run, or of several runs overlaid.");
        command.Arguments.Add(runs);
        command.Options.Add(output);
        command.SetAction(parse => CommandErrors.Run("report", () => Run(parse.GetValue(runs)!, parse.GetValue(output))));
        return command;
    }

    private static int Run(string[] runDirectories, string? output)
    {
        if (output is null && runDirectories.Length > 1)
            throw new ArgumentException($"{runDirectories.Length} run directories: pass --out FILE for the comparison page.");
        var path = output ?? RunReport.DefaultPath(runDirectories[0]);
        var result = RunReport.Write(runDirectories, path);
        foreach (var run in result.Runs)
            foreach (var note in run.Notes)
                Serilog.Log.Warning("report: {Run}: {Note}", run.Directory, note);
        Serilog.Log.Information("report: {Runs} run(s), {Steps} steps, rendered in {Milliseconds} ms",
            result.Runs.Count, result.Runs.Sum(r => r.Steps.Count), result.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
        Console.WriteLine(Path.GetFullPath(result.Path));
        return 0;
    }
}
