using PolyGlot.Torch.Serialization;

namespace PolyGlot.Torch.Tests.Serialization;

public sealed class SafetensorsWriterTests : IDisposable
{
    private static readonly SafetensorsLayout TwoTensors = SafetensorsLayout.Create(
    [
        new SafetensorsTensorInfo("a", SafetensorsDType.F32, [2]),
        new SafetensorsTensorInfo("b", SafetensorsDType.U8, [3]),
    ]);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LeavesNoFile_When_DisposedWithoutCommit()
    {
        // Given a writer that wrote part of the data
        var path = _dir.File("w.safetensors");
        using (var writer = SafetensorsWriter.Create(path, TwoTensors))
            writer.WriteTensor("a", new byte[8]);

        // Then neither the file nor its temporary remains
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void KeepsPreviousFile_When_NewOneNotCommitted()
    {
        var path = _dir.File("w.safetensors");
        File.WriteAllText(path, "previous");

        using (var writer = SafetensorsWriter.Create(path, TwoTensors))
            writer.WriteTensor("a", new byte[8]);

        Assert.Equal("previous", File.ReadAllText(path));
    }

    [Fact]
    public void RefusesCommit_When_DataIncomplete()
    {
        var path = _dir.File("w.safetensors");
        using var writer = SafetensorsWriter.Create(path, TwoTensors);
        writer.WriteTensor("a", new byte[8]);

        var e = Assert.Throws<InvalidOperationException>(writer.Commit);

        Assert.Contains("next tensor: 'b'", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Refuses_When_TensorWrittenOutOfOrder()
    {
        using var writer = SafetensorsWriter.Create(_dir.File("w.safetensors"), TwoTensors);

        var e = Assert.Throws<InvalidOperationException>(() => writer.WriteTensor("b", new byte[3]));

        Assert.Contains("write tensors in layout order", e.Message);
    }

    [Fact]
    public void Refuses_When_TensorLengthWrong()
    {
        using var writer = SafetensorsWriter.Create(_dir.File("w.safetensors"), TwoTensors);

        var e = Assert.Throws<InvalidOperationException>(() => writer.WriteTensor("a", new byte[7]));

        Assert.Contains("needs 8 bytes (F32 [2]), got 7", e.Message);
    }

    [Fact]
    public void AcceptsChunks_When_TensorStreamed()
    {
        // Given tensor bytes written in three chunks that cross the tensor boundary
        var path = _dir.File("w.safetensors");
        using (var writer = SafetensorsWriter.Create(path, TwoTensors))
        {
            writer.Write([1, 2, 3]);
            writer.Write([4, 5, 6, 7, 8, 9]);
            writer.Write([10, 11]);
            writer.Commit();
        }

        // Then the reader sees each tensor's slice
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, file.GetBytes("a").ToArray());
        Assert.Equal(new byte[] { 9, 10, 11 }, file.GetBytes("b").ToArray());
    }
}
