using System.Runtime.InteropServices;
using PolyGlot.Common.IO;

namespace PolyGlot.Common.Tests.IO;

public sealed class DurableWriteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-durable-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(Architecture.X64, 0x10000)]
    [InlineData(Architecture.X86, 0x10000)]
    [InlineData(Architecture.Arm64, 0x4000)]
    [InlineData(Architecture.Arm, 0x4000)]
    public void UsesTheArchitecturesODirectory_When_OpeningADirectory(Architecture architecture, int expected)
    {
        // Given Linux's O_DIRECTORY, which is 0x4000 on ARM (where 0x10000 means O_DIRECT)
        // When the flags for that architecture are chosen
        var flags = DurableWrite.DirectoryOpenFlags(architecture);

        // Then they are O_RDONLY (0) | that architecture's O_DIRECTORY
        Assert.Equal(expected, flags);
    }

    [Fact]
    public void FlushesWithoutError_When_DirectoryExists()
    {
        DurableWrite.FlushDirectory(_dir);
    }

    [Fact]
    public void ThrowsNamingThePath_When_FlushingARegularFile()
    {
        // Given a regular file: with this machine's O_DIRECTORY right, open(2) refuses it (ENOTDIR)
        var file = Path.Combine(_dir, "plain.txt");
        File.WriteAllText(file, "x");

        // When it is flushed as a directory
        var error = Assert.Throws<IOException>(() => DurableWrite.FlushDirectory(file));

        // Then the error names it (a wrong flag, e.g. O_DIRECT, would open the file and flush it silently)
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public void ThrowsNamingThePath_When_DirectoryIsMissing()
    {
        var missing = Path.Combine(_dir, "nowhere");

        var error = Assert.Throws<IOException>(() => DurableWrite.FlushDirectory(missing));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void LeavesOnlyTheTarget_When_WriteCompletes()
    {
        // Given an existing file
        var path = Path.Combine(_dir, "a.bin");
        File.WriteAllText(path, "old");

        // When it is replaced durably
        DurableWrite.Write(path, s => s.Write("new"u8));

        // Then the target holds the new bytes and no temporary file is left
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }
}
