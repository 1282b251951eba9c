using PolyGlot.Common.IO;
using PolyGlot.Data.Shards;

namespace PolyGlot.Data.Tests.Shards;

public sealed class ShardDirectoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pg-shards-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSourceWithOneShard(string content)
    {
        var shard = Path.Combine(_dir, ShardEntry.FileNameFor(0));
        File.WriteAllText(shard, content);
        new ShardManifest
        {
            Source = "s",
            Shards = [new ShardEntry { File = ShardEntry.FileNameFor(0), Sha256 = FileHash.Sha256Hex(shard) }],
        }.Save(_dir);
    }

    [Fact]
    public void ListsTheShardsInManifestOrder_When_TheyAreIntact()
    {
        WriteSourceWithOneShard("shard bytes");
        var shards = ShardDirectory.ListShards(_dir, verifyHashes: true, out var manifest);
        Assert.Equal([Path.Combine(_dir, "shard-00000.parquet")], shards);
        Assert.Equal("s", manifest.Source);
    }

    [Fact]
    public void ThrowsNamingTheShard_When_ItsContentChanged()
    {
        WriteSourceWithOneShard("shard bytes");
        File.AppendAllText(Path.Combine(_dir, "shard-00000.parquet"), "!");
        var error = Assert.Throws<InvalidDataException>(() => ShardDirectory.ListShards(_dir, verifyHashes: true, out _));
        Assert.Contains("shard-00000.parquet", error.Message);
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void ThrowsNamingTheShard_When_ItIsMissing()
    {
        WriteSourceWithOneShard("shard bytes");
        File.Delete(Path.Combine(_dir, "shard-00000.parquet"));
        var error = Assert.Throws<InvalidDataException>(() => ShardDirectory.ListShards(_dir, verifyHashes: false, out _));
        Assert.Contains("does not exist", error.Message);
    }
}
