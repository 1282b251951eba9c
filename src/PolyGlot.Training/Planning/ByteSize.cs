using System.Globalization;
using System.Text.RegularExpressions;

namespace PolyGlot.Training.Planning;

/// <summary>
/// Byte counts as the plan prints them, in decimal units (1 GB = 10^9 B, as the configs' comments and
/// <c>bucket_mb</c> count), and as <c>--device-memory</c> reads them.
/// </summary>
public static partial class ByteSize
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary><paramref name="bytes"/> with one decimal in the largest fitting unit, e.g. <c>55.7 GB</c>, <c>812.3 kB</c>, <c>96 B</c>.</summary>
    public static string Format(long bytes) => Math.Abs(bytes) switch
    {
        >= 1_000_000_000_000 => string.Create(C, $"{bytes / 1e12:F1} TB"),
        >= 1_000_000_000 => string.Create(C, $"{bytes / 1e9:F1} GB"),
        >= 1_000_000 => string.Create(C, $"{bytes / 1e6:F1} MB"),
        >= 1_000 => string.Create(C, $"{bytes / 1e3:F1} kB"),
        _ => string.Create(C, $"{bytes} B"),
    };

    /// <summary>A whole number with thousands separators, e.g. <c>13,932,001,280</c>.</summary>
    public static string Count(long value) => value.ToString("N0", C);

    /// <summary>
    /// Reads a size such as <c>80GB</c>, <c>80 GB</c>, <c>79.6GiB</c>, <c>512MB</c> or a plain number of bytes;
    /// kB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024.
    /// </summary>
    /// <exception cref="FormatException">Not a positive size with a known unit; the message says what is accepted.</exception>
    public static long Parse(string text)
    {
        var match = SizePattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.Float, C, out var value) || value <= 0)
            throw new FormatException($"'{text}' is not a memory size: write a positive number with B, kB, MB, GB, TB, KiB, MiB, GiB or TiB, e.g. 80GB");
        var unit = match.Groups[2].Value.ToLowerInvariant();
        double scale = unit switch
        {
            "" or "b" => 1,
            "kb" => 1e3,
            "mb" => 1e6,
            "gb" => 1e9,
            "tb" => 1e12,
            "kib" => 1L << 10,
            "mib" => 1L << 20,
            "gib" => 1L << 30,
            _ => 1L << 40,
        };
        return (long)Math.Round(value * scale);
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();
}
