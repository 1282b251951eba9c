namespace PolyGlot.Training.Reporting;

/// <summary>
/// Colours and dash patterns: 20 distinguishable colours (the "tab20" order of matplotlib, dark
/// shades first so that the first ten languages get the strongest ones) and one dash pattern per
/// compared run.
/// </summary>
internal static class Palette
{
    private static readonly string[] Colors =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    ];

    private static readonly string?[] Dashes = [null, "7 3", "2 2", "10 3 2 3", "4 4"];

    /// <summary>The colour of the <paramref name="index"/>-th language, group or run.</summary>
    public static string Color(int index) => Colors[index % Colors.Length];

    /// <summary>The dash pattern of the <paramref name="index"/>-th compared run (null: solid).</summary>
    public static string? Dash(int index) => Dashes[index % Dashes.Length];

    /// <summary>Checkpoint markers.</summary>
    public const string Checkpoint = "#888888";

    /// <summary>Resume markers.</summary>
    public const string Resume = "#111111";

    /// <summary>Curriculum stage boundaries.</summary>
    public const string Stage = "#6a3d9a";

    /// <summary>Skipped steps.</summary>
    public const string Skipped = "#d62728";
}
