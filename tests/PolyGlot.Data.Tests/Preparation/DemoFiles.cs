using System.IO.Compression;
using System.Text;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>The built-in demo corpus (data/demo-corpus) of the repository.</summary>
internal static class DemoFiles
{
    public static string Root { get; } = FindRoot();

    public static IEnumerable<string> ReadLines(string gzipPath)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
            yield return line;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PolyGlot.sln")))
                return Path.Combine(dir.FullName, "data", "demo-corpus");
        throw new DirectoryNotFoundException("PolyGlot.sln not found above " + AppContext.BaseDirectory);
    }
}
