using System.Buffers.Binary;
using System.Text;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Torch.Tests.Serialization;

public sealed class SafetensorsFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReturnsWrittenBytes_When_RoundTripped()
    {
        // Given
        var path = _dir.File("round.safetensors");
        SafetensorsPayload.Save(path, ReferenceTensors.All());

        // When
        using var file = SafetensorsFile.Open(path);

        // Then
        foreach (var payload in ReferenceTensors.All())
            Assert.Equal(ReferenceTensors.BytesOf(payload.Info.Name), file.GetBytes(payload.Info.Name).ToArray());
    }

    [Fact]
    public void CopiesBytesToStream_When_Asked()
    {
        var path = _dir.File("copy.safetensors");
        SafetensorsPayload.Save(path, ReferenceTensors.All());
        using var file = SafetensorsFile.Open(path);
        using var sink = new MemoryStream();

        file.CopyTo("i64.steps", sink);

        Assert.Equal(ReferenceTensors.BytesOf("i64.steps"), sink.ToArray());
    }

    [Fact]
    public void NamesFile_When_ShorterThanLengthPrefix()
    {
        var path = _dir.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("fewer than the 8-byte header length", e.Message);
    }

    [Fact]
    public void Refuses_When_HeaderLengthRunsPastEnd()
    {
        var path = _dir.File("truncated.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 4096);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("runs past the end", e.Message);
    }

    [Fact]
    public void Refuses_When_HeaderLengthExceedsLimit()
    {
        var path = _dir.File("huge.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 200_000_000);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("exceeds the limit", e.Message);
    }

    [Fact]
    public void NamesTensor_When_SizeDisagreesWithShape()
    {
        var path = Craft("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}""", 12);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Equal("w", e.Tensor);
        Assert.Contains("span 12 bytes, but shape [2, 2] of F32 needs 16", e.Message);
    }

    [Fact]
    public void NamesTensor_When_OffsetsOverlap()
    {
        var path = Craft("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}""", 6);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Equal("b", e.Tensor);
        Assert.Contains("overlap tensor 'a'", e.Message);
    }

    [Fact]
    public void NamesTensor_When_OffsetsLeaveHole()
    {
        var path = Craft("""{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}""", 6);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Equal("b", e.Tensor);
        Assert.Contains("unused", e.Message);
    }

    [Fact]
    public void NamesTensor_When_OffsetsRunPastData()
    {
        var path = Craft("""{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}""", 4);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Equal("a", e.Tensor);
        Assert.Contains("run past the end of the 4-byte data section", e.Message);
    }

    [Fact]
    public void Refuses_When_TrailingBytesFollowTensors()
    {
        var path = Craft("""{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}""", 5);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("cover 2 bytes but the data section has 5", e.Message);
    }

    [Fact]
    public void NamesTensor_When_DTypeUnknown()
    {
        var path = Craft("""{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}""", 4);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("dtype 'F31' is unknown", e.Message);
    }

    [Fact]
    public void Refuses_When_NameRepeatsInHeader()
    {
        var path = Craft("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 2);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("appears twice", e.Message);
    }

    [Fact]
    public void Refuses_When_MetadataValueIsNotString()
    {
        var path = Craft("""{"__metadata__":{"step":3},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 1);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("metadata 'step' must be a string", e.Message);
    }

    [Fact]
    public void Refuses_When_HeaderIsNotJson()
    {
        var path = Craft("{\"a\":", 0);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void SaysWhatToUse_When_TensorMissing()
    {
        var path = _dir.File("m.safetensors");
        SafetensorsPayload.Save(path, ReferenceTensors.All());
        using var file = SafetensorsFile.Open(path);

        var e = Assert.Throws<KeyNotFoundException>(() => file.Entry("nope"));

        Assert.Contains(path, e.Message);
    }

    private string Craft(string json, int dataBytes)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N") + ".safetensors");
        var text = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + text.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)text.Length);
        text.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
