using PolyGlot.Torch;
using PolyGlot.Torch.Serialization;

namespace PolyGlot.Training.Checkpointing;

/// <summary>
/// The tensors of one part of a checkpoint (its model or its optimizer state), read whole or by
/// element range of the flattened tensor, whether one file holds each tensor
/// (<c>model.safetensors</c>, <see cref="Of(SafetensorsFile)"/>) or the ranks' files hold pieces of
/// it (<see cref="ShardedCheckpointTensors"/>). A rank that resumes with sharded state reads only
/// its ranges.
/// </summary>
public abstract class CheckpointTensors : IDisposable
{
    // Bytes copied per read from a file: bounds the memory of a range read to its destination.
    private const int ChunkBytes = 16 << 20;

    /// <summary>Where the tensors come from, for messages (a file or a checkpoint directory).</summary>
    public abstract string Source { get; }

    /// <summary>The names of all tensors, in file order.</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>True when a tensor is called <paramref name="name"/>.</summary>
    public abstract bool Contains(string name);

    /// <summary>The shape of tensor <paramref name="name"/>.</summary>
    public abstract IReadOnlyList<long> Shape(string name);

    /// <summary>Elements [<paramref name="start"/>, + <paramref name="length"/>) of the flattened tensor <paramref name="name"/>, as a new 1-D tensor on <paramref name="device"/>.</summary>
    /// <exception cref="InvalidDataException">The range lies outside the tensor.</exception>
    public abstract Tensor ReadRange(string name, long start, long length, Device device);

    /// <summary>Tensor <paramref name="name"/> whole, on <paramref name="device"/>.</summary>
    public Tensor Read(string name, Device device)
    {
        var shape = Shape(name).ToArray();
        using var flat = ReadRange(name, 0, shape.Aggregate(1L, (a, b) => a * b), device);
        return flat.Reshape(shape);
    }

    /// <summary>Overwrites <paramref name="destination"/> with tensor <paramref name="name"/>, which must have its shape.</summary>
    /// <exception cref="InvalidDataException">The shapes differ; the message names the source, the tensor and both shapes.</exception>
    public virtual void CopyInto(string name, Tensor destination)
    {
        RequireShape(name, destination.Shape);
        using var scope = DisposeScope.Enter();
        destination.View(-1).CopyFrom(ReadRange(name, 0, destination.NumEl, destination.Device));
    }

    /// <summary>Throws unless tensor <paramref name="name"/> has <paramref name="shape"/>.</summary>
    /// <exception cref="InvalidDataException">The shapes differ.</exception>
    public void RequireShape(string name, IReadOnlyList<long> shape)
    {
        var actual = Shape(name);
        if (!actual.SequenceEqual(shape))
            throw new InvalidDataException(
                $"Tensor '{name}' in {Source} has shape [{string.Join(", ", actual)}], but [{string.Join(", ", shape)}] is needed.");
    }

    /// <summary>The tensors of one safetensors file (which the caller keeps open until this is disposed).</summary>
    public static CheckpointTensors Of(SafetensorsFile file) => new FileTensors(file, ownsFile: false);

    /// <summary>The tensors of the safetensors file at <paramref name="path"/>, opened here and closed on dispose.</summary>
    public static CheckpointTensors Open(string path) => new FileTensors(SafetensorsFile.Open(path), ownsFile: true);

    /// <summary>Closes what this reader opened.</summary>
    public abstract void Dispose();

    /// <summary>Copies <paramref name="length"/> elements from <paramref name="offset"/> of <paramref name="entry"/> in <paramref name="file"/> into <paramref name="destination"/> (1-D), in chunks.</summary>
    internal static void CopyRange(SafetensorsFile file, SafetensorsEntry entry, long offset, long length, Tensor destination)
    {
        var itemSize = entry.DType.ItemSize();
        var perChunk = Math.Max(1, ChunkBytes / itemSize);
        for (long done = 0; done < length; done += perChunk)
        {
            var count = Math.Min(perChunk, length - done);
            using var part = destination.Narrow(0, done, count);
            part.CopyBytesFrom(file.GetChunk(entry, (offset + done) * itemSize, (int)(count * itemSize)));
        }
    }

    private sealed class FileTensors(SafetensorsFile file, bool ownsFile) : CheckpointTensors
    {
        public override string Source => file.Path;

        public override IReadOnlyList<string> Names => file.Tensors.Select(t => t.Name).ToList();

        public override bool Contains(string name) => file.Contains(name);

        public override IReadOnlyList<long> Shape(string name) => file.Entry(name).Shape;

        public override Tensor ReadRange(string name, long start, long length, Device device)
        {
            var entry = file.Entry(name);
            var elements = entry.Shape.Aggregate(1L, (a, b) => a * b);
            if (start < 0 || length < 0 || start + length > elements)
                throw new InvalidDataException($"Elements [{start}, {start + length}) lie outside tensor '{name}' ({elements} elements) of {file.Path}.");
            var host = Tensor.Empty([length], entry.DType.ToTorch());
            CopyRange(file, entry, start, length, host);
            if (!device.IsCuda)
                return host;
            using (host)
                return host.To(device);
        }

        // Chunked straight into the destination, without a whole temporary.
        public override void CopyInto(string name, Tensor destination) => file.CopyInto(name, destination);

        public override void Dispose()
        {
            if (ownsFile)
                file.Dispose();
        }
    }
}
