using PolyGlot.Torch.Serialization;

namespace PolyGlot.Torch.Tests.Serialization;

public sealed class SafetensorsShardsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SafetensorsTensorInfo Bytes(string name, long count) => new(name, SafetensorsDType.U8, [count]);

    [Fact]
    public void StartsNewShard_When_NextTensorWouldPassLimit()
    {
        var plan = SafetensorsShards.Plan([Bytes("a", 40), Bytes("b", 50), Bytes("c", 60), Bytes("d", 30)], 100);

        Assert.Equal(["a,b", "c,d"], plan.Select(s => string.Join(",", s.Select(t => t.Name))));
    }

    [Fact]
    public void GivesTensorOwnShard_When_LargerThanLimit()
    {
        var plan = SafetensorsShards.Plan([Bytes("a", 10), Bytes("big", 500), Bytes("c", 10)], 100);

        Assert.Equal(["a", "big", "c"], plan.Select(s => string.Join(",", s.Select(t => t.Name))));
    }

    [Fact]
    public void WritesSingleFileWithoutIndex_When_UnderLimit()
    {
        var files = SafetensorsShards.Write(_dir.Path, ReferenceTensors.All());

        Assert.Equal(["model.safetensors"], files);
        Assert.False(File.Exists(_dir.File("model.safetensors.index.json")));
    }

    [Fact]
    public void ReadsEveryTensorThroughIndex_When_Sharded()
    {
        // Given shards of at most 64 bytes
        var files = SafetensorsShards.Write(_dir.Path, ReferenceTensors.All(), maxShardBytes: 64);

        // When the collection opens the directory
        using var collection = SafetensorsCollection.Open(_dir.Path);

        // Then every tensor is found with its bytes, and the index records the total size
        Assert.StartsWith("model-00001-of-", files[0]);
        foreach (var payload in ReferenceTensors.All())
            Assert.Equal(ReferenceTensors.BytesOf(payload.Info.Name), collection.GetBytes(payload.Info.Name).ToArray());
        var index = SafetensorsIndex.Load(_dir.File("model.safetensors.index.json"));
        Assert.Equal(ReferenceTensors.All().Sum(p => p.Info.ByteLength), index.TotalSize);
    }

    [Fact]
    public void NamesMissingShard_When_IndexPointsNowhere()
    {
        var files = SafetensorsShards.Write(_dir.Path, ReferenceTensors.All(), maxShardBytes: 64);
        File.Delete(_dir.File(files[1]));

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCollection.Open(_dir.Path));

        Assert.Contains($"shard '{files[1]}' named by the index does not exist", e.Message);
    }

    [Fact]
    public void SaysWhatIsMissing_When_DirectoryHasNoWeights()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsCollection.Open(_dir.Path));

        Assert.Contains("model.safetensors.index.json", e.Message);
    }

    [Fact]
    public void RemovesEarlierShards_When_RewrittenAsSingleFile()
    {
        // Given a sharded write, then a single-file write into the same directory
        SafetensorsShards.Write(_dir.Path, ReferenceTensors.All(), maxShardBytes: 64);
        File.WriteAllText(_dir.File("notes.txt"), "kept");

        var files = SafetensorsShards.Write(_dir.Path, ReferenceTensors.All());

        // Then no stale index or shard can shadow the new file; other files stay
        Assert.Equal(["model.safetensors", "notes.txt"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var collection = SafetensorsCollection.Open(_dir.Path);
        Assert.Equal(files, collection.Files.Select(f => Path.GetFileName(f.Path)));
    }

    [Fact]
    public void RemovesShardsOfOtherCount_When_ReshardedSmaller()
    {
        var many = SafetensorsShards.Write(_dir.Path, ReferenceTensors.All(), maxShardBytes: 40);

        var fewer = SafetensorsShards.Write(_dir.Path, ReferenceTensors.All(), maxShardBytes: 200);

        Assert.True(fewer.Count < many.Count);
        Assert.Equal(fewer.Order(StringComparer.Ordinal), Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
