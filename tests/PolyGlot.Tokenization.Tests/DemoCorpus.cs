using System.IO.Compression;
using System.Text;
using PolyGlot.TestSupport;

namespace PolyGlot.Tokenization.Tests;

/// <summary>Reads the built-in demo corpus (data/demo-corpus) from the repository.</summary>
internal static class DemoCorpus
{
    public static string Root { get; } = RepositoryPaths.Combine("data", "demo-corpus");

    /// <summary>Language code -> monolingual training file.</summary>
    public static IReadOnlyDictionary<string, string> MonoFiles { get; } =
        Directory.GetFiles(Path.Combine(Root, "mono"), "*.txt.gz", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetFileName(f)[..^".txt.gz".Length], f => f);

    public static IEnumerable<object[]> Languages => MonoFiles.Keys.Order(StringComparer.Ordinal).Select(l => new object[] { l });

    public static IEnumerable<string> ReadLines(string gzipPath)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
            yield return line;
    }

    /// <summary>Every line of every file of the demo corpus (monolingual, held-out, pairs with their tab, UDHR), in path order.</summary>
    public static IEnumerable<string> AllLines() =>
        Directory.GetFiles(Root, "*.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal).SelectMany(ReadLines);

    public static string HeldOutFile(string language) =>
        Directory.GetFiles(Path.Combine(Root, "heldout", "mono"), language + ".txt.gz", SearchOption.AllDirectories).Single();
}
