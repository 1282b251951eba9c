namespace PolyGlot.Training.Tests.Configuration;

/// <summary>Finds the repository's configs/ directory from the test binaries.</summary>
internal static class RepoConfigs
{
    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "PolyGlot.sln")))
                    return Path.Combine(dir.FullName, "configs");
            }
            throw new InvalidOperationException("PolyGlot.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string File(string name) => Path.Combine(Directory, name);
}
