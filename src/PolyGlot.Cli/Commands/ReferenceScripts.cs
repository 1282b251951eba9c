using System.Diagnostics;

namespace PolyGlot.Cli.Commands;

/// <summary>Finds the reference scripts (scripts/reference/*.py) that benchmarks run as their peers.</summary>
internal static class ReferenceScripts
{
    /// <summary>The full path of <paramref name="relative"/> (e.g. <c>scripts/reference/model_reference.py</c>), searched above the program and the working directory.</summary>
    /// <exception cref="FileNotFoundException">The script is not there (the program runs outside a repository checkout).</exception>
    public static string Locate(string relative)
    {
        foreach (var root in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(root); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                    return candidate;
            }
        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory} or the working directory; run polyglot from a repository checkout.");
    }

    /// <summary>
    /// Runs <paramref name="relative"/> (a script under the repository) with <paramref name="python"/>
    /// and returns its standard output; <paramref name="environment"/> adds to or overrides this process's variables.
    /// </summary>
    /// <exception cref="InvalidOperationException">Python did not start or the script failed; the message carries its standard error.</exception>
    public static string RunPython(string python, string relative, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        foreach (var argument in new[] { "-B", Locate(relative) }.Concat(arguments))
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {python} ({e.Message}); pass --python with a Python that has PyTorch.", e);
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"{python} {relative} {string.Join(' ', arguments.Take(1))} failed (exit {process.ExitCode}); scripts/setup.sh installs python3-torch:\n{errors.Result}");
            return output;
        }
    }

    /// <summary>The last non-empty line of a <see cref="RunPython"/> failure: the Python error itself, for a one-line report.</summary>
    public static string LastLine(string message) => message.Split('\n').Last(line => line.Trim().Length > 0).Trim();
}
