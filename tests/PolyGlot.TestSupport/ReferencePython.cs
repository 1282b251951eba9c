using System.Diagnostics;

namespace PolyGlot.TestSupport;

/// <summary>
/// Runs a reference script with Debian's python3-torch (or <c>POLYGLOT_PYTHON</c>), one libtorch
/// thread, and returns its standard output; a failure carries the script's standard error.
/// </summary>
public static class ReferencePython
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The interpreter the references run with.</summary>
    public static string Interpreter => Environment.GetEnvironmentVariable("POLYGLOT_PYTHON") ?? "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> (a path) with <paramref name="arguments"/>.</summary>
    public static string Run(string script, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {Interpreter}; scripts/setup.sh installs python3-torch.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(script)} did not finish within {Timeout.TotalMinutes} minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Interpreter} {Path.GetFileName(script)} failed with exit code {process.ExitCode} " +
                $"(scripts/setup.sh installs python3-torch):\n{stderr.Result}");
        return stdout.Result;
    }
}
