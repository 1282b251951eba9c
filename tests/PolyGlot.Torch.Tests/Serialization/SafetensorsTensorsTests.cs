using PolyGlot.Torch.Serialization;

namespace PolyGlot.Torch.Tests.Serialization;

public sealed class SafetensorsTensorsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    [InlineData(DType.Int64)]
    [InlineData(DType.Bool)]
    public void RoundTripsBytes_When_TensorWrittenAndRead(DType dtype)
    {
        // Given a 5x7 tensor of the dtype
        using var scope = DisposeScope.Enter();
        var source = (Tensor.Randn([5, 7]) * 3).To(dtype);
        var path = _dir.File($"{dtype}.safetensors");

        // When written and read back
        SafetensorsPayload.Save(path, [SafetensorsTensors.Payload("t", source)]);
        using var file = SafetensorsFile.Open(path);
        var read = file.ReadTensor("t");

        // Then dtype, shape and bytes are the same
        Assert.Equal(dtype.ToSafetensors(), file.Entry("t").DType);
        Assert.Equal(source.Shape, read.Shape);
        Assert.Equal(source.ToBytes(), read.ToBytes());
    }

    [Fact]
    public void SplitsIntoChunks_When_TensorLargerThanChunk()
    {
        // Given a 10x7 float tensor (280 bytes) moved 16 bytes at a time
        using var scope = DisposeScope.Enter();
        var source = Tensor.Randn([10, 7]);
        var path = _dir.File("chunks.safetensors");

        SafetensorsPayload.Save(path, [SafetensorsTensors.Payload("t", source, chunkBytes: 16)]);
        using var file = SafetensorsFile.Open(path);
        var read = file.ReadTensor("t", chunkBytes: 16);

        Assert.Equal(source.ToArray<float>(), read.ToArray<float>());
    }

    [Fact]
    public void WritesRowMajor_When_TensorIsStridedView()
    {
        // Given the transpose of a 3x4 tensor: a view whose memory is column-major
        using var scope = DisposeScope.Enter();
        var view = Tensor.Arange(12, DType.Float32).Reshape(3, 4).Transpose(0, 1);
        var path = _dir.File("view.safetensors");

        // When written, then Python reads the values in row-major order of the 4x3 view
        SafetensorsPayload.Save(path, [SafetensorsTensors.Payload("t", view, chunkBytes: 8)]);
        using var json = PythonReference.Read(path);

        var values = json.RootElement.GetProperty("tensors").GetProperty("t").GetProperty("values")
            .EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        Assert.Equal(view.Contiguous().ToArray<float>(), values);
    }

    [Fact]
    public void RestoresParameterInPlace_When_CopiedInto()
    {
        using var scope = DisposeScope.Enter();
        var saved = Tensor.Randn([4, 6]);
        var path = _dir.File("param.safetensors");
        SafetensorsPayload.Save(path, [SafetensorsTensors.Payload("w", saved)]);
        var parameter = Tensor.Zeros([4, 6]);

        using var file = SafetensorsFile.Open(path);
        file.CopyInto("w", parameter, chunkBytes: 20);

        Assert.Equal(saved.ToArray<float>(), parameter.ToArray<float>());
    }

    [Fact]
    public void NamesBothShapes_When_DestinationShapeDiffers()
    {
        using var scope = DisposeScope.Enter();
        var path = _dir.File("param.safetensors");
        SafetensorsPayload.Save(path, [SafetensorsTensors.Payload("w", Tensor.Zeros([4, 6]))]);
        using var file = SafetensorsFile.Open(path);

        var e = Assert.Throws<InvalidDataException>(() => file.CopyInto("w", Tensor.Zeros([6, 4])));

        Assert.Contains("is F32 [4, 6], but the destination is Float32 [6, 4]", e.Message);
    }
}
