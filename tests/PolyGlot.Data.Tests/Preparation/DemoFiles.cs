using System.IO.Compression;
using System.Text;
using PolyGlot.TestSupport;

namespace PolyGlot.Data.Tests.Preparation;

/// <summary>The built-in demo corpus (data/demo-corpus) of the repository.</summary>
internal static class DemoFiles
{
    public static string Root { get; } = RepositoryPaths.Combine("data", "demo-corpus");

    public static IEnumerable<string> ReadLines(string gzipPath)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
            yield return line;
    }

}
