using System.Buffers;

namespace PolyGlot.Torch.Serialization;

/// <summary>
/// Bridges safetensors and <see cref="Tensor"/>: dtype mapping, tensors as payloads for the
/// writer, and tensors read from a file. Data moves in chunks, so tensors larger than 2 GiB
/// (a 256K x 5,120 fp32 embedding is 5.2 GB) work and the managed buffer stays small.
/// </summary>
public static class SafetensorsTensors
{
    /// <summary>Bytes copied per chunk between a tensor and a file.</summary>
    public const int DefaultChunkBytes = 64 << 20;

    /// <summary>The safetensors spelling of a tensor dtype.</summary>
    public static SafetensorsDType ToSafetensors(this DType dtype) => dtype switch
    {
        DType.Float32 => SafetensorsDType.F32,
        DType.BFloat16 => SafetensorsDType.BF16,
        DType.Float16 => SafetensorsDType.F16,
        DType.Float64 => SafetensorsDType.F64,
        DType.Int64 => SafetensorsDType.I64,
        DType.Int32 => SafetensorsDType.I32,
        DType.UInt8 => SafetensorsDType.U8,
        DType.Bool => SafetensorsDType.BOOL,
        _ => throw new NotSupportedException($"dtype {dtype} has no safetensors spelling"),
    };

    /// <summary>The tensor dtype of a safetensors dtype.</summary>
    /// <exception cref="NotSupportedException">A safetensors dtype this build's tensors do not support (e.g. U16, F8).</exception>
    public static DType ToTorch(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => DType.Float32,
        SafetensorsDType.BF16 => DType.BFloat16,
        SafetensorsDType.F16 => DType.Float16,
        SafetensorsDType.F64 => DType.Float64,
        SafetensorsDType.I64 => DType.Int64,
        SafetensorsDType.I32 => DType.Int32,
        SafetensorsDType.U8 => DType.UInt8,
        SafetensorsDType.BOOL => DType.Bool,
        _ => throw new NotSupportedException(
            $"safetensors dtype {dtype.Code()} cannot become a tensor here; supported: F32, BF16, F16, F64, I64, I32, U8, BOOL"),
    };

    /// <summary>
    /// A payload that writes <paramref name="tensor"/> (any device, any strides) under
    /// <paramref name="name"/>; the tensor must stay alive until the file is written.
    /// </summary>
    public static SafetensorsPayload Payload(string name, Tensor tensor, int chunkBytes = DefaultChunkBytes)
    {
        var info = new SafetensorsTensorInfo(name, tensor.DType.ToSafetensors(), tensor.Shape);
        return new SafetensorsPayload(info, writer => WriteChunks(tensor, writer, chunkBytes));
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new tensor on <paramref name="device"/> (the CPU by default).</summary>
    public static Tensor ReadTensor(this SafetensorsFile file, string name, Device? device = null, int chunkBytes = DefaultChunkBytes)
    {
        var entry = file.Entry(name);
        var dtype = entry.DType.ToTorch();
        if (entry.ByteLength <= chunkBytes)
            return Tensor.FromBytes(file.GetChunk(entry, 0, (int)entry.ByteLength), dtype, entry.Shape.ToArray(), device);
        var tensor = Tensor.Empty(entry.Shape.ToArray(), dtype, device);
        try
        {
            CopyInto(file, entry, tensor, chunkBytes);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Overwrites <paramref name="destination"/> (e.g. a parameter being restored) with tensor
    /// <paramref name="name"/>, which must have the same dtype and shape.
    /// </summary>
    /// <exception cref="InvalidDataException">The dtype or shape differ; the message names file, tensor and both.</exception>
    public static void CopyInto(this SafetensorsFile file, string name, Tensor destination, int chunkBytes = DefaultChunkBytes)
    {
        var entry = file.Entry(name);
        var dtype = entry.DType.ToTorch();
        if (dtype != destination.DType || !entry.Shape.SequenceEqual(destination.Shape))
            throw new InvalidDataException(
                $"Tensor '{name}' in {file.Path} is {entry.DType.Code()} [{string.Join(", ", entry.Shape)}], "
                + $"but the destination is {destination.DType} [{string.Join(", ", destination.Shape)}].");
        CopyInto(file, entry, destination, chunkBytes);
    }

    private static void CopyInto(SafetensorsFile file, SafetensorsEntry entry, Tensor destination, int chunkBytes)
    {
        var itemSize = entry.DType.ItemSize();
        var elementsPerChunk = Math.Max(1, chunkBytes / itemSize);
        using var flat = destination.View(-1);
        for (long start = 0; start < flat.NumEl; start += elementsPerChunk)
        {
            var count = Math.Min(elementsPerChunk, flat.NumEl - start);
            using var part = flat.Narrow(0, start, count);
            part.CopyBytesFrom(file.GetChunk(entry, start * itemSize, (int)(count * itemSize)));
        }
    }

    private static void WriteChunks(Tensor tensor, SafetensorsWriter writer, int chunkBytes)
    {
        var itemSize = tensor.DType.ElementSize();
        var elementsPerChunk = Math.Max(1, chunkBytes / itemSize);
        using var flat = tensor.Reshape(-1);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(tensor.ByteCount, (long)elementsPerChunk * itemSize));
        try
        {
            for (long start = 0; start < flat.NumEl; start += elementsPerChunk)
            {
                var count = Math.Min(elementsPerChunk, flat.NumEl - start);
                var bytes = buffer.AsSpan(0, (int)(count * itemSize));
                using var part = flat.Narrow(0, start, count);
                part.CopyBytesTo(bytes);
                writer.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
