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
}
