using System.Diagnostics;

namespace PolyGlot.Cli.Tests;

/// <summary>What a user sees after running <c>polyglot</c>: exit code, standard output and standard error.</summary>
internal sealed record PolyglotResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>True when standard error holds a .NET stack trace or an exception type name, which a user mistake must never show.</summary>
    public bool ShowsStackTrace =>
        StdErr.Contains("   at ", StringComparison.Ordinal) || StdErr.Contains("Unhandled exception", StringComparison.Ordinal)
        || StdErr.Contains("Exception:", StringComparison.Ordinal);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>
/// Runs the built <c>polyglot.dll</c> (copied beside the tests by the project reference) as a
/// child process, so that each test sees exactly the exit code and text a user would, and
/// tests can run in parallel without sharing the console or the static Serilog logger.
/// </summary>
internal static class PolyglotProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static PolyglotResult Run(string workingDirectory, params string[] args) =>
        Run(workingDirectory, new Dictionary<string, string>(), Limit, args);

    /// <summary>As <see cref="Run(string, string[])"/>, with <paramref name="environment"/> added to the child's environment.</summary>
    public static PolyglotResult RunWithEnvironment(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Run(workingDirectory, environment, Limit, args);

    /// <summary>Runs with extra environment variables (e.g. a launcher's) and a time limit.</summary>
    public static PolyglotResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan limit,
        params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"polyglot {string.Join(' ', args)} ran longer than {limit.TotalSeconds} s");
        }
        return new PolyglotResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts polyglot with redirected output and returns the running process.</summary>
    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "polyglot.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }

    // dotnet test sets DOTNET_HOST_PATH to the host that runs it; fall back to the one on PATH.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
