using System.Diagnostics;
using System.Globalization;

namespace PolyGlot.Training.Tests.Scheduling;

/// <summary>Runs reference/lr_reference.py (PyTorch's schedulers) and returns one rate per step.</summary>
internal static class TorchLrReference
{
    public static double[] Rates(string shape, double peak, double min, long warmup, long total)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Script(), shape, Invariant(peak), Invariant(min), warmup.ToString(CultureInfo.InvariantCulture), total.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"lr_reference.py failed ({process.ExitCode}): {stderr}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToArray();
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "PolyGlot.Training.Tests", "Scheduling", "reference", "lr_reference.py");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException("lr_reference.py not found above " + AppContext.BaseDirectory);
    }
}
