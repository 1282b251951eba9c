using PolyGlot.TestSupport;

namespace PolyGlot.Training.Tests.Configuration;

/// <summary>Finds the repository's configs/ directory from the test binaries.</summary>
internal static class RepoConfigs
{
    public static string Directory => RepositoryPaths.Combine("configs");

    public static string File(string name) => Path.Combine(Directory, name);
}
