using System.Text.RegularExpressions;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Torch.Tests.Runtime;

/// <summary>The libtorch the shim was built against, for tests whose expected kernel path depends on it.</summary>
internal static partial class Libtorch
{
    /// <summary>Major and minor version (e.g. 2.6 from "2.6.0", 1.13 from "1.13.1").</summary>
    public static Version Version => Version.Parse(MajorMinor().Match(TorchRuntime.Version).Value);

    /// <summary>Whether it is at least <paramref name="major"/>.<paramref name="minor"/>.</summary>
    public static bool AtLeast(int major, int minor) => Version >= new Version(major, minor);

    [GeneratedRegex(@"^\d+\.\d+")]
    private static partial Regex MajorMinor();
}
