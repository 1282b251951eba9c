using System.Diagnostics;
using System.Text.Json;

namespace PolyGlot.Torch.Tests.Serialization;

/// <summary>Runs reference/safetensors_reference.py with Debian's python3-torch.</summary>
internal static class PythonReference
{
    private const string Python = "/usr/bin/python3";

    public static string Script => Path.Combine(RepoRoot(), "tests", "PolyGlot.Torch.Tests", "Serialization",
        "reference", "safetensors_reference.py");

    public static JsonDocument Read(string path) => JsonDocument.Parse(Run("read", path));

    public static void Write(string path) => Run("write", path);

    private static string Run(string verb, string path)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Script} {verb} {path} failed ({process.ExitCode}): {stderr}");
        return stdout.Result;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PolyGlot.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("PolyGlot.sln not found above " + AppContext.BaseDirectory);
    }
}
