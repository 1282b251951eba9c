using System.Diagnostics;
using PolyGlot.Common.IO;

namespace PolyGlot.Training.Reporting;

/// <summary>Reads run directories and writes their report page, atomically, so that a browser never sees half a file.</summary>
public static class RunReport
{
    /// <summary>The report's file name inside a run directory.</summary>
    public const string FileName = "report.html";

    /// <summary>The default output: <c>RUN_DIR/report.html</c>.</summary>
    public static string DefaultPath(string runDirectory) => Path.Combine(runDirectory, FileName);

    /// <summary>Writes the report of <paramref name="runDirectories"/> to <paramref name="outputPath"/>.</summary>
    /// <returns>What was written and how long reading and rendering took.</returns>
    /// <exception cref="DirectoryNotFoundException">A run directory does not exist.</exception>
    public static ReportResult Write(IReadOnlyList<string> runDirectories, string outputPath)
    {
        var clock = Stopwatch.StartNew();
        var runs = runDirectories.Select(RunHistoryReader.Read).ToList();
        var html = ReportPage.Render(runs, DateTime.UtcNow);
        AtomicFile.WriteAllText(outputPath, html);
        return new ReportResult(outputPath, runs, html.Length, clock.Elapsed);
    }
}

/// <summary>The outcome of <see cref="RunReport.Write"/>.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Runs">The runs it shows.</param>
/// <param name="Characters">Length of the page.</param>
/// <param name="Elapsed">Time to read the runs, render and write.</param>
public sealed record ReportResult(string Path, IReadOnlyList<RunHistory> Runs, int Characters, TimeSpan Elapsed);
