using PolyGlot.Common.IO;

namespace PolyGlot.Common.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void KeepsOldContent_When_WriterThrows()
    {
        var path = Path.Combine(_dir, "a.bin");
        AtomicFile.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("partial"u8);
            throw new InvalidOperationException("crash");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ReplacesContent_When_WriteCompletes()
    {
        var path = Path.Combine(_dir, "a.txt");
        AtomicFile.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
    }
}
