namespace PolyGlot.TestSupport;

/// <summary>Paths inside the repository the tests run from (found by walking up to PolyGlot.sln).</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository's root folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path below the root, e.g. <c>Combine("data", "demo-corpus")</c>.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PolyGlot.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("PolyGlot.sln not found above " + AppContext.BaseDirectory);
    }
}
