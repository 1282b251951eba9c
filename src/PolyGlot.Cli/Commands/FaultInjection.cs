using System.Globalization;

namespace PolyGlot.Cli.Commands;

/// <summary>
/// Test-only knobs read from the environment by <c>train</c> (scripts/faults.sh uses them); unset in
/// normal use, and announced in the log when set so that a run never carries one silently.
/// </summary>
internal static class FaultInjection
{
    /// <summary>Comma-separated 1-based steps whose loss is made NaN (the loss guard must skip them).</summary>
    public const string NonFiniteStepsVariable = "POLYGLOT_TEST_NONFINITE_STEPS";

    /// <summary>The steps named by <see cref="NonFiniteStepsVariable"/>, or none.</summary>
    /// <exception cref="ArgumentException">The variable holds something other than step numbers.</exception>
    public static IReadOnlySet<long> NonFiniteSteps()
    {
        var text = Environment.GetEnvironmentVariable(NonFiniteStepsVariable);
        if (string.IsNullOrWhiteSpace(text))
            return new HashSet<long>();
        var steps = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step >= 1 ? step
                : throw new ArgumentException($"{NonFiniteStepsVariable} = '{text}': must be comma-separated step numbers (1-based)."))
            .ToHashSet();
        Serilog.Log.Warning("train: test knob {Variable} set: the loss of steps {Steps} is made NaN", NonFiniteStepsVariable, string.Join(",", steps.Order()));
        return steps;
    }
}
