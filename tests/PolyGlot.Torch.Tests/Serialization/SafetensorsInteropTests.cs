using System.Text.Json;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Torch.Tests.Serialization;

/// <summary>Round trips against an independent Python reader/writer (json + struct + torch.frombuffer).</summary>
public sealed class SafetensorsInteropTests
{
    [Fact]
    public void PythonReadsEveryValue_When_WrittenByUs()
    {
        // Given the reference tensors written by our writer, with metadata
        using var dir = new TempDirectory();
        var path = dir.File("ours.safetensors");
        SafetensorsPayload.Save(path, ReferenceTensors.All(), new Dictionary<string, string> { ["format"] = "pt" });

        // When the independent Python reader reads it
        using var json = PythonReference.Read(path);

        // Then every tensor has our dtype, shape and values, and the metadata survives
        AssertMatchesReference(json.RootElement.GetProperty("tensors"));
        Assert.Equal("pt", json.RootElement.GetProperty("metadata").GetProperty("format").GetString());
    }

    [Fact]
    public void WeReadEveryByte_When_WrittenByPython()
    {
        // Given a file written by the Python writer (data in a different order from the header)
        using var dir = new TempDirectory();
        var path = dir.File("python.safetensors");
        PythonReference.Write(path);

        // When our reader opens it
        using var file = SafetensorsFile.Open(path);

        // Then every tensor has the expected dtype, shape and bytes
        foreach (var expected in ReferenceTensors.All())
        {
            var entry = file.Entry(expected.Info.Name);
            Assert.Equal(expected.Info.DType, entry.DType);
            Assert.Equal(expected.Info.Shape, entry.Shape);
            Assert.Equal(ReferenceTensors.BytesOf(expected.Info.Name), file.GetBytes(expected.Info.Name).ToArray());
        }
        Assert.Equal("python", file.Metadata["source"]);
        Assert.Equal(ReferenceTensors.All().Count, file.Tensors.Count);
    }

    [Fact]
    public void PythonReadsEveryValue_When_WrittenAsShards()
    {
        // Given the reference tensors sharded at 64 bytes a shard
        using var dir = new TempDirectory();
        var files = SafetensorsShards.Write(dir.Path, ReferenceTensors.All(), maxShardBytes: 64);

        // When Python follows the index
        using var json = PythonReference.Read(dir.Path);

        // Then it finds every tensor in some shard, with our values
        Assert.Contains("model.safetensors.index.json", files);
        Assert.True(files.Count > 3);
        AssertMatchesReference(json.RootElement.GetProperty("tensors"));
    }

    private static void AssertMatchesReference(JsonElement tensors)
    {
        var values = ReferenceTensors.Values();
        foreach (var expected in ReferenceTensors.All())
        {
            var actual = tensors.GetProperty(expected.Info.Name);
            Assert.Equal(expected.Info.DType.Code(), actual.GetProperty("dtype").GetString());
            Assert.Equal(expected.Info.Shape, actual.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
            Assert.Equal(values[expected.Info.Name], actual.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }
        Assert.Equal(values.Count, tensors.EnumerateObject().Count());
    }
}
