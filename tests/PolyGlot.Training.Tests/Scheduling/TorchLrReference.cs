using System.Globalization;
using PolyGlot.TestSupport;

namespace PolyGlot.Training.Tests.Scheduling;

/// <summary>Runs reference/lr_reference.py (PyTorch's schedulers) and returns one rate per step.</summary>
internal static class TorchLrReference
{
    public static double[] Rates(string shape, double peak, double min, long warmup, long total)
    {
        var stdout = ReferencePython.Run(Script,
            [shape, Invariant(peak), Invariant(min), warmup.ToString(CultureInfo.InvariantCulture), total.ToString(CultureInfo.InvariantCulture)]);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToArray();
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Script =>
        RepositoryPaths.Combine("tests", "PolyGlot.Training.Tests", "Scheduling", "reference", "lr_reference.py");
}
